package dev.wasmbind.module.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.module.testing.TestWasm;
import dev.wasmbind.module.validate.InvalidModuleException.Reason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModuleValidatorTest {

    private final ModuleValidator validator = ModuleValidator.create();

    @Test
    void shouldAcceptACommandModuleWithWasiImports() throws Exception {
        byte[] bytes =
                TestWasm.module()
                        .importFunction("wasi_snapshot_preview1", "fd_write")
                        .importFunction("wasi_snapshot_preview1", "proc_exit")
                        .exportStart()
                        .exportMemory()
                        .bytes();

        ValidatedModule validated = validator.validate(bytes);

        assertThat(validated.abi()).isEqualTo("wasip1-command");
        assertThat(validated.size()).isEqualTo(bytes.length);
        assertThat(validated.module().importSection().importCount()).isEqualTo(2);
    }

    @Test
    void shouldRefuseATableLargerThanTheCap() {
        byte[] bytes =
                TestWasm.module()
                        .withTable(ModuleValidator.MAX_TABLE_ELEMENTS + 1)
                        .exportStart()
                        .exportMemory()
                        .bytes();

        assertRefused(bytes, Reason.LIMIT_EXCEEDED)
                .hasMessageContaining("table 0 starts with 100001 elements");
    }

    @Test
    void shouldAcceptATableUpToTheCap() throws Exception {
        byte[] bytes =
                TestWasm.module()
                        .withTable(ModuleValidator.MAX_TABLE_ELEMENTS)
                        .exportStart()
                        .exportMemory()
                        .bytes();

        assertThat(validator.validate(bytes).module().tableSection().tableCount()).isEqualTo(1);
    }

    @Test
    void shouldRefuseAFileThatIsNotWasm() {
        assertRefused("<html>not found</html>".getBytes(StandardCharsets.UTF_8), Reason.NOT_WASM)
                .hasMessageContaining("not a WebAssembly module");
    }

    @Test
    void shouldExplainThatComponentsAreNotSupportedYet() {
        assertRefused(TestWasm.component(), Reason.COMPONENT)
                .hasMessageContaining("WASI preview 2 components are not supported yet");
    }

    @Test
    void shouldRefuseAComponentWhoseSectionSizeWrapsAround() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(TestWasm.component());
        // a custom section of 2^32 - 6 bytes: -6 as an int, which sent the scan back to this
        // section's first byte, forever
        out.writeBytes(new byte[] {0x00, (byte) 0xfa, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
        byte[] bytes = out.toByteArray();

        // a section size as a 10-byte LEB128 that overflows to a negative long
        byte[] overflowing =
                java.util.HexFormat.of()
                        .parseHex(
                                "0061736d736d010014000000000061007300f3f3fffffffffffffffff36df300");

        // Bounded only so that a regression fails instead of hanging the build.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(30),
                () -> {
                    assertRefused(bytes, Reason.COMPONENT);
                    assertRefused(overflowing, Reason.COMPONENT);
                });
    }

    @Test
    void shouldNameTheImportsOfAComponent() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(TestWasm.component());
        byte[] name = "wasi:http/outgoing-handler@0.2.0".getBytes(StandardCharsets.UTF_8);
        // import section (10): one import, plain name, an instance of type 0
        out.write(10);
        out.write(1 + 1 + 1 + name.length + 2);
        out.write(1);
        out.write(0);
        out.write(name.length);
        out.writeBytes(name);
        out.write(0x05);
        out.write(0);
        assertRefused(out.toByteArray(), Reason.COMPONENT)
                .hasMessageContaining("WASI preview 2 component")
                .hasMessageContaining("imports: wasi:http/outgoing-handler@0.2.0")
                .hasMessageContaining("wasm32-wasip1");
    }

    @Test
    void shouldAcceptTheWasiHttpFunctionsTheSidecarOffers() throws Exception {
        byte[] bytes =
                TestWasm.module()
                        .importFunction("types", "new-outgoing-request")
                        .importFunction("default-outgoing-HTTP", "handle")
                        .importFunction("streams", "read")
                        .exportStart()
                        .exportMemory()
                        .bytes();
        assertThat(ModuleValidator.create().validate(bytes).module()).isNotNull();
    }

    @Test
    void shouldRefuseWasiHttpWhenTheRuntimeDoesNotOfferIt() {
        byte[] bytes =
                TestWasm.module()
                        .importFunction("default-outgoing-HTTP", "handle")
                        .exportStart()
                        .exportMemory()
                        .bytes();
        assertThatThrownBy(
                        () ->
                                ModuleValidator.builder()
                                        .withHostModules(java.util.Map.of())
                                        .build()
                                        .validate(bytes))
                .isInstanceOf(InvalidModuleException.class)
                .hasMessageContaining("default-outgoing-HTTP.handle");
    }

    @Test
    void shouldRefuseAFunctionOutsideTheWasiHttpAbi() {
        byte[] bytes =
                TestWasm.module()
                        .importFunction("types", "fields-clone")
                        .exportStart()
                        .exportMemory()
                        .bytes();
        assertRefused(bytes, Reason.UNSUPPORTED_IMPORT).hasMessageContaining("types.fields-clone");
    }

    @Test
    void shouldRefuseATruncatedModule() {
        byte[] whole = TestWasm.emptyCommand();
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertRefused(truncated, Reason.MALFORMED).hasMessageContaining("not a valid WebAssembly");
    }

    @Test
    void shouldRefuseAReactorWithoutStart() {
        assertRefused(TestWasm.module().exportMemory().bytes(), Reason.MISSING_EXPORT)
                .hasMessageContaining("function _start")
                .hasMessageContaining("reactor");
    }

    @Test
    void shouldRefuseAModuleThatDoesNotExportMemory() {
        assertRefused(TestWasm.module().exportStart().bytes(), Reason.MISSING_EXPORT)
                .hasMessageContaining("memory memory");
    }

    @Test
    void shouldNameEveryUnsupportedImport() {
        byte[] bytes =
                TestWasm.module()
                        .importFunction("env", "host_magic")
                        .importFunction("wasi_snapshot_preview1", "fd_write")
                        .importFunction("wasi_snapshot_preview1", "no_such_call")
                        .exportStart()
                        .exportMemory()
                        .bytes();

        assertRefused(bytes, Reason.UNSUPPORTED_IMPORT)
                .hasMessageContaining("env.host_magic")
                .hasMessageContaining("wasi_snapshot_preview1.no_such_call")
                .hasMessageNotContaining("fd_write");
    }

    @Test
    void shouldRefuseAModuleOverTheSizeLimit() {
        byte[] bytes = TestWasm.emptyCommand();
        ModuleValidator small =
                ModuleValidator.builder().withMaxModuleBytes(bytes.length - 1).build();

        assertThatThrownBy(() -> small.validate(bytes))
                .isInstanceOfSatisfying(
                        InvalidModuleException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("more than the limit");
    }

    private org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            byte[] bytes, Reason reason) {
        return assertThatThrownBy(() -> validator.validate(bytes))
                .isInstanceOfSatisfying(
                        InvalidModuleException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
