package dev.wasmbind.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The harness measures real calls: each benchmark's guest loads, runs and answers right. */
class GuestCallBenchmarkTest {

    private final GuestCallBenchmark benchmark = new GuestCallBenchmark();
    private final GuestCallBenchmark.Runner runner = new GuestCallBenchmark.Runner();

    @Test
    void shouldUppercaseHelloCompiledAndInterpreted() throws Exception {
        var tiny = new GuestCallBenchmark.Tiny();
        tiny.setUp(runner);

        assertThat(text(benchmark.tinyCompiled(runner, tiny))).isEqualTo("\"HELLO\"");
        assertThat(text(benchmark.tinyInterpreted(runner, tiny))).isEqualTo("\"HELLO\"");
    }

    @Test
    void shouldHashTheMebibyteAsTheJdkDoes() throws Exception {
        var sha256 = new GuestCallBenchmark.Sha256();
        sha256.setUp(runner);

        String expected =
                HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(sha256.mebibyte));
        assertThat(text(benchmark.sha256Compiled(runner, sha256))).isEqualTo(expected + "\n");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
