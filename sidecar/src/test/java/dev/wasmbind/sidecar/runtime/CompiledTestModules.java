package dev.wasmbind.sidecar.runtime;

import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.validate.ModuleValidator;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test modules, compiled once per test JVM and shared (compiling is the slow part). */
public final class CompiledTestModules {

    public static final Path DIR = Path.of("src/test/resources/wasm").toAbsolutePath();

    private static final ModuleCompiler COMPILER = new ModuleCompiler();

    private CompiledTestModules() {}

    /** {@code name} without {@code .wasm}, e.g. {@code cat}. */
    public static CompiledModule compiled(String name) {
        try {
            byte[] bytes = Files.readAllBytes(DIR.resolve(name + ".wasm"));
            var validated = ModuleValidator.create().validate(bytes);
            return COMPILER.compile("sha256:" + Digests.sha256Hex(bytes), validated.module());
        } catch (Exception e) {
            throw new IllegalStateException("cannot compile test module " + name, e);
        }
    }
}
