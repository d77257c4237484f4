package dev.wasmbind.module.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import dev.wasmbind.module.testing.LargeWasm;
import dev.wasmbind.module.testing.TestWasm;
import dev.wasmbind.module.validate.InvalidModuleException.Reason;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The heap validation takes, measured as bytes the validating thread allocates (not time):
 * Chicory's parser allocated about 119 times a 32 MB module's size to decode it
 * (docs/decisions.md).
 */
class ValidatorHeapTest {

    /** About 8 MB: 30,000 functions of 6.5 MB code in all, 1.5 MB of data. */
    private static final byte[] LARGE = LargeWasm.module(30_000, 8, 3 << 19);

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void shouldCheckALargeModuleInAFractionOfItsSize() throws Exception {
        ModuleValidator validator = ModuleValidator.create();
        validator.check(LARGE); // class loading and the like out of the measurement

        long before = THREADS.getCurrentThreadAllocatedBytes();
        CheckedModule checked = validator.check(LARGE);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(checked.abi()).isEqualTo(ModuleValidator.ABI_WASIP1_COMMAND);
        assertThat(checked.codeBytes()).isGreaterThan(6_000_000);
        assertThat(allocated).isLessThan(LARGE.length / 4);
    }

    @Test
    void shouldRefuseToDecodeAModuleWhoseCodeNeedsMoreHeapThanAllowed() {
        ModuleValidator validator =
                ModuleValidator.builder().withMaxDecodedBytes(64L * 1024 * 1024).build();

        long before = THREADS.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> validator.validate(LARGE))
                .isInstanceOfSatisfying(
                        InvalidModuleException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("MiB of code takes about")
                .hasMessageContaining("more than the 64 MiB allowed here");
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).isLessThan(LARGE.length / 4);
    }

    @Test
    void shouldRefuseACodeSectionWithMoreBodiesThanFunctions() {
        byte[] module = LargeWasm.module(3, 1, 16);
        byte[] broken = module.clone();
        broken[codeBodyCountAt(module)]++; // 5 bodies declared, 4 functions

        assertThatThrownBy(() -> ModuleValidator.create().check(broken))
                .isInstanceOfSatisfying(
                        InvalidModuleException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    @Test
    void shouldLeaveFunctionBodiesToTheFullValidation() throws Exception {
        // _start's body "end" replaced by an unknown opcode: framed fine, decodes to an error.
        byte[] module = TestWasm.emptyCommand();
        int end = lastIndexOf(module, (byte) 0x0b);
        byte[] broken = module.clone();
        broken[end] = (byte) 0xff;

        assertThat(ModuleValidator.create().check(broken).size()).isEqualTo(broken.length);
        assertThatThrownBy(() -> ModuleValidator.create().validate(broken))
                .isInstanceOfSatisfying(
                        InvalidModuleException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    /** Where the code section's body count is (one byte in these small modules). */
    private static int codeBodyCountAt(byte[] module) {
        int at = 8;
        while (true) {
            int id = module[at++];
            int size = 0;
            int shift = 0;
            int b;
            do {
                b = module[at++] & 0xff;
                size |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (id == 10) {
                return at;
            }
            at += size;
        }
    }

    private static int lastIndexOf(byte[] bytes, byte value) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new AssertionError(Arrays.toString(bytes));
    }
}
