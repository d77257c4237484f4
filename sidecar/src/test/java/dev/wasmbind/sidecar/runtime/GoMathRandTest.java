package dev.wasmbind.sidecar.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class GoMathRandTest {

    @Test
    void shouldRecomputeGoCookedTable() {
        long[] cooked = GoMathRand.CookedTable.VALUES;

        // First, second and last entries of rngCooked in Go's math/rand/rng.go.
        assertThat(cooked).hasSize(607);
        assertThat(cooked[0]).isEqualTo(5041579894721019882L);
        assertThat(cooked[1]).isEqualTo(4646389086726545243L);
        assertThat(cooked[606]).isEqualTo(4152330101494654406L);
    }

    @Test
    void shouldReadTheBytesOfGoRandSeeded42() {
        // Printed by a local Go 1.19 program: rand.New(rand.NewSource(42)), Int63() three times,
        // then Read of 16 bytes from a fresh one.
        GoMathRand random = new GoMathRand(42);
        assertThat(random.int63()).isEqualTo(3440579354231278675L);
        assertThat(random.int63()).isEqualTo(608747136543856411L);
        assertThat(random.int63()).isEqualTo(5571782338101878760L);

        byte[] bytes = new byte[16];
        new GoMathRand(42).read(bytes);

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("538c7f96b164bf1b97bb9f4bb472e89f");
    }

    @Test
    void shouldContinueTheByteStreamAcrossReads() {
        GoMathRand whole = new GoMathRand(42);
        byte[] all = new byte[23];
        whole.read(all);

        GoMathRand split = new GoMathRand(42);
        byte[] first = new byte[5];
        byte[] second = new byte[18];
        split.read(first);
        split.read(second);

        byte[] joined = new byte[23];
        System.arraycopy(first, 0, joined, 0, 5);
        System.arraycopy(second, 0, joined, 5, 18);
        assertThat(joined).isEqualTo(all);
    }

    @Test
    void shouldUseSevenBytesOfEachValueLowByteFirst() {
        long value = new GoMathRand(42).int63();
        byte[] bytes = new byte[8];

        new GoMathRand(42).read(bytes);

        for (int i = 0; i < 7; i++) {
            assertThat(bytes[i]).isEqualTo((byte) (value >>> (8 * i)));
        }
        assertThat(bytes[7]).isNotNull();
    }
}
