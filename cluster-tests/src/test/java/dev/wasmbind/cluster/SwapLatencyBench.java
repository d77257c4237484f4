package dev.wasmbind.cluster;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire and failsafe do not pick {@code *Bench}): the time from a
 * WasmBinding update to the new module answering in a running in-pod sidecar, on the cluster in a
 * box. Run it with {@code scripts/bench-swap.sh}; figures in docs/benchmarks.md.
 */
@EnableKubernetesMockClient(crud = true)
class SwapLatencyBench {

    static KubernetesClient client;
    static KubernetesMockServer server;

    @Test
    void measureSwapLatency() throws Exception {
        int swaps = Integer.getInteger("bench.swaps", 20);
        try (ClusterInABox box = ClusterInABox.start(client, server);
                SidecarProcess sidecar =
                        box.startInjectedSidecar(
                                Files.createTempDirectory("bench-emptydir").resolve("modules"))) {
            String[] files = {"uppercase.wasm", "hello.wasm"};
            String[] answers = {ClusterInABoxIT.UPPERCASE, ClusterInABoxIT.HELLO};
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(
                            () ->
                                    sidecar.call("hello", ClusterInABoxIT.DOCS_REQUEST)
                                            .body()
                                            .equals(ClusterInABoxIT.HELLO));
            // Two swaps to warm up (first compile of each module), then the measured ones.
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < swaps + 2; i++) {
                int to = i % 2;
                long start = System.nanoTime();
                box.pointBindingAt(files[to]);
                while (!answers[to].equals(
                        sidecar.call("hello", ClusterInABoxIT.DOCS_REQUEST).body())) {
                    Thread.sleep(10);
                    if (System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
                        throw new IllegalStateException("no swap within 60 s, see the logs");
                    }
                }
                if (i >= 2) {
                    millis.add((System.nanoTime() - start) / 1_000_000);
                }
            }
            millis.sort(null);
            String report =
                    String.format(
                            Locale.ROOT,
                            "swaps=%d p50=%d ms p90=%d ms max=%d ms min=%d ms"
                                    + " (load average %.2f, %d cpus)%n",
                            millis.size(),
                            millis.get(millis.size() / 2),
                            millis.get((int) Math.ceil(millis.size() * 0.9) - 1),
                            millis.get(millis.size() - 1),
                            millis.get(0),
                            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                            Runtime.getRuntime().availableProcessors());
            System.out.print(report);
            Path out = Path.of("target", "bench-swap.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report + "all (ms): " + millis + "\n");
        }
    }
}
