package dev.wasmbind.sidecar.grpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes WasmBinding YAML for the test modules and the examples into a resources folder. */
final class TestResources {

    static final Path TEST_MODULES = Path.of("src/test/resources/wasm").toAbsolutePath();
    static final Path EXAMPLE_MODULES =
            Path.of("../examples/bindings/modules").toAbsolutePath().normalize();

    private TestResources() {}

    /** A binding {@code name} running the test module {@code module} with extra spec lines. */
    static void testModule(Path resources, String name, String module, String extraSpec)
            throws IOException {
        write(resources, name, "file://" + TEST_MODULES.resolve(module), extraSpec);
    }

    /** A binding {@code name} running {@code examples/bindings/modules/<module>}. */
    static void example(Path resources, String name, String module) throws IOException {
        write(resources, name, "file://" + EXAMPLE_MODULES.resolve(module), "");
    }

    private static void write(Path resources, String name, String url, String extraSpec)
            throws IOException {
        Files.writeString(
                resources.resolve(name + ".yaml"),
                """
                apiVersion: wasmbind.dev/v1alpha1
                kind: WasmBinding
                metadata:
                  name: %s
                spec:
                  url: "%s"
                %s"""
                        .formatted(name, url, extraSpec));
    }
}
