package dev.wasmbind.operator.testing;

import dev.wasmbind.module.testing.TestWasm;

/**
 * Tiny wasm modules for operator tests, built with the sidecar's {@link TestWasm}: a valid WASI
 * command (made distinct by a custom section, so many bindings can have many digests) and the
 * defects the validator must name.
 */
public final class TestModules {

    private TestModules() {}

    /** A valid command module exporting _start and memory; {@code id} changes its digest. */
    public static byte[] command(String id) {
        return TestWasm.module().exportStart().exportMemory().withId(id).bytes();
    }

    /** A command module that imports {@code module.name}, which the runtime does not provide. */
    public static byte[] importing(String module, String name) {
        return TestWasm.module()
                .importFunction(module, name)
                .exportStart()
                .exportMemory()
                .withId("imports")
                .bytes();
    }

    /** The header of a WASI preview 2 component. */
    public static byte[] component() {
        return TestWasm.component();
    }
}
