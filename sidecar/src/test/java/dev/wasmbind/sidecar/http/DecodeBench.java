package dev.wasmbind.sidecar.http;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Request-body decoding in process, not a test: the one-pass {@link BindingRequest#parse} against
 * the two steps it replaced (the test model {@link GoJsonDecoder} building values, then {@link
 * GoJsonEncoder} or {@code getBytes} for rawData), as CPU time and bytes allocated per decode on
 * one thread (best of five rounds), so that a loaded machine slows both alike. Prints markdown rows
 * for docs/bench/http-path.md. Argument: a body file, e.g. the 2 MiB hex body that
 * scripts/bench-http-path.sh writes.
 */
public final class DecodeBench {

    private DecodeBench() {}

    static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    interface Op {
        Object run(byte[] b) throws Exception;
    }

    static byte[] oldWay(byte[] body, boolean raw) throws Exception {
        Object root = GoJsonDecoder.decode(body);
        Object data = ((Map<?, ?>) root).get("data");
        if (raw && data instanceof String s) return s.getBytes(StandardCharsets.UTF_8);
        return GoJsonEncoder.encode(data);
    }

    static void measure(String name, byte[] body, int n, Op op) throws Exception {
        for (int i = 0; i < n; i++) op.run(body); // warm-up
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        for (int round = 0; round < 5; round++) {
            long tid = Thread.currentThread().getId();
            long cpu0 = MX.getCurrentThreadCpuTime();
            long a0 = MX.getThreadAllocatedBytes(tid);
            for (int i = 0; i < n; i++) op.run(body);
            long cpu = (MX.getCurrentThreadCpuTime() - cpu0) / n;
            long alloc = (MX.getThreadAllocatedBytes(tid) - a0) / n;
            best[0] = Math.min(best[0], cpu);
            best[1] = Math.min(best[1], alloc);
        }
        System.out.printf(
                "| %s | %d | %.2f | %d |%n", name, body.length, best[0] / 1000.0, best[1]);
    }

    public static void main(String[] args) throws Exception {
        byte[] tiny =
                "{\"operation\":\"execute\",\"data\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
        byte[] hex = Files.readAllBytes(Path.of(args[0]));
        var nums = new StringBuilder("{\"operation\":\"execute\",\"data\":[");
        for (int i = 0; nums.length() < 1 << 20; i++)
            nums.append(i > 0 ? "," : "").append(i % 1000);
        byte[] numbers = nums.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        var obj = new StringBuilder("{\"operation\":\"execute\",\"data\":[");
        for (int i = 0; obj.length() < 1 << 20; i++)
            obj.append(i > 0 ? "," : "")
                    .append(
                            "{\"name\":\"item "
                                    + i
                                    + "\",\"price\":"
                                    + (i * 0.25)
                                    + ",\"tags\":[\"a\",\"b<c\"],\"id\":"
                                    + i
                                    + "}");
        byte[] objects = obj.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        System.out.println("| body | bytes | CPU µs per decode | bytes allocated per decode |");
        System.out.println("|---|---|---|---|");
        measure("tiny, old", tiny, 200_000, b -> oldWay(b, false));
        measure("tiny, new", tiny, 200_000, b -> BindingRequest.parse(b, false));
        measure("2 MiB hex string rawData, old", hex, 30, b -> oldWay(b, true));
        measure("2 MiB hex string rawData, new", hex, 30, b -> BindingRequest.parse(b, true));
        measure("2 MiB hex string encoded, old", hex, 30, b -> oldWay(b, false));
        measure("2 MiB hex string encoded, new", hex, 30, b -> BindingRequest.parse(b, false));
        measure("1 MiB array of integers, old", numbers, 30, b -> oldWay(b, false));
        measure("1 MiB array of integers, new", numbers, 30, b -> BindingRequest.parse(b, false));
        measure("1 MiB array of objects, old", objects, 30, b -> oldWay(b, false));
        measure("1 MiB array of objects, new", objects, 30, b -> BindingRequest.parse(b, false));
    }
}
