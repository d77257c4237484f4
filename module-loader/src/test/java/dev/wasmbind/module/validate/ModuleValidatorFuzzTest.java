package dev.wasmbind.module.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wasmbind.module.testing.TestWasm;
import java.util.List;

/**
 * Fuzzes the validator: any bytes, and the test modules mutated, are either a {@link
 * ValidatedModule} (and a {@link CheckedModule}) or an {@link InvalidModuleException}; any other
 * throwable is a finding. Runs its seeds in every build; {@code JAZZER_FUZZ=1} fuzzes (see
 * docs/fuzzing.md).
 */
class ModuleValidatorFuzzTest {

    private static final List<byte[]> SEEDS =
            List.of(
                    TestWasm.emptyCommand(),
                    TestWasm.module().exportStart().bytes(),
                    TestWasm.module()
                            .exportStart()
                            .exportMemory()
                            .importFunction("wasi_snapshot_preview1", "fd_write")
                            .bytes(),
                    TestWasm.module()
                            .exportStart()
                            .exportMemory()
                            .importFunction("env", "mystery")
                            .bytes(),
                    TestWasm.module().exportStart().exportMemory().withTable(10).bytes(),
                    TestWasm.module().exportStart().exportMemory().withId("seed").bytes(),
                    TestWasm.component());

    private final ModuleValidator validator =
            ModuleValidator.builder().withMaxModuleBytes(1 << 16).build();

    @FuzzTest(maxDuration = "2m")
    void shouldRefuseRandomBytesOnlyWithInvalidModuleException(byte[] bytes) {
        validate(bytes);
    }

    @FuzzTest(maxDuration = "2m")
    void shouldRefuseMutatedModulesOnlyWithInvalidModuleException(FuzzedDataProvider data) {
        byte[] module = SEEDS.get(data.consumeInt(0, SEEDS.size() - 1)).clone();
        int edits = data.consumeInt(1, 8);
        for (int i = 0; i < edits && module.length > 0; i++) {
            int at = data.consumeInt(0, module.length - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> module[at] = data.consumeByte();
                case 1 -> module = java.util.Arrays.copyOf(module, at);
                default -> {
                    byte[] grown = new byte[module.length + 1];
                    System.arraycopy(module, 0, grown, 0, at);
                    grown[at] = data.consumeByte();
                    System.arraycopy(module, at, grown, at + 1, module.length - at);
                    module = grown;
                }
            }
        }
        validate(module);
    }

    /**
     * Both entry points: the structural {@code check} (the operator's) and the full {@code
     * validate} (the sidecar's); what the full one accepts, the structural one accepts too.
     */
    private void validate(byte[] bytes) {
        CheckedModule checked = null;
        try {
            checked = validator.check(bytes);
            assertThat(checked.size()).isEqualTo(bytes.length);
            assertThat(checked.codeBytes()).isBetween(0L, (long) bytes.length);
        } catch (InvalidModuleException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            ValidatedModule module = validator.validate(bytes);
            assertThat(module).isNotNull();
            assertThat(checked).as("check accepts what validate accepts").isNotNull();
        } catch (InvalidModuleException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
