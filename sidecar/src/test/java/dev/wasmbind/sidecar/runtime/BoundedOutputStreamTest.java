package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BoundedOutputStreamTest {

    @Test
    void shouldKeepOnlyTheTailOfOneHugeWrite() {
        var stderr = new BoundedOutputStream(8, BoundedOutputStream.Mode.KEEP_TAIL);
        byte[] huge = new byte[1 << 20];
        Arrays.fill(huge, (byte) 'x');
        byte[] end = "the reason".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(end, 0, huge, huge.length - end.length, end.length);

        stderr.write(huge, 0, huge.length);

        // Never copied whole: the buffer did not grow to the write's size.
        assertThat(stderr.retainedBytes()).isLessThanOrEqualTo(64);
        assertThat(stderr.text()).isEqualTo("e reason");
    }

    @Test
    void shouldKeepTheTailAcrossManySmallWritesInASmallBuffer() {
        var stderr = new BoundedOutputStream(8, BoundedOutputStream.Mode.KEEP_TAIL);
        for (int i = 0; i < 1000; i++) {
            byte[] line = ("line " + i + "\n").getBytes(StandardCharsets.UTF_8);
            stderr.write(line, 0, line.length);
            assertThat(stderr.retainedBytes()).isLessThanOrEqualTo(64);
        }

        assertThat(stderr.text()).isEqualTo("ine 999");
    }
}
