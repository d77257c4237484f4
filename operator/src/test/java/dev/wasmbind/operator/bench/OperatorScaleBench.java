package dev.wasmbind.operator.bench;

import dev.wasmbind.api.v1alpha1.Phase;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.operator.testing.ModuleServer;
import dev.wasmbind.operator.testing.TestModules;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;

/**
 * The 1,000-binding scale benchmark: fabric8's mock API server (CRUD) and a module server on
 * 127.0.0.1 in this process, the operator jar in its own process (so its RSS is its own). Creates N
 * WasmBindings over M distinct modules and measures the time until all are Ready, then the
 * operator's RSS (VmRSS, VmHWM) and heap. Run by scripts/bench-operator.sh.
 *
 * <p>Arguments: {@code <operator.jar> [bindings=1000] [modules=100] [jvm options...]}
 */
public final class OperatorScaleBench {

    private OperatorScaleBench() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int bindings = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int modules = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        List<String> jvmOptions = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            jvmOptions.add(args[i]);
        }

        // The mock server logs every request through java.util.logging: that would be the
        // benchmark.
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver")
                .setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer api =
                new KubernetesMockServer(
                        new Context(Serialization.jsonMapper()),
                        new MockWebServer(),
                        new HashMap<>(),
                        new KubernetesCrudDispatcher(),
                        false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient client = api.createClient();
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName("bench")
                                .endMetadata()
                                .build())
                .create();

        ModuleServer server = ModuleServer.start();
        for (int m = 0; m < modules; m++) {
            server.serve("/m" + m + ".wasm", TestModules.command("bench-module-" + m));
        }

        Path work = Files.createTempDirectory("wasmbind-bench");
        Path kubeconfig = work.resolve("kubeconfig");
        Files.writeString(
                kubeconfig,
                "apiVersion: v1\nkind: Config\n"
                        + "clusters:\n- name: mock\n  cluster:\n    server: http://127.0.0.1:"
                        + api.getPort()
                        + "\n"
                        + "users:\n- name: mock\n  user: {}\n"
                        + "contexts:\n- name: mock\n  context:\n    cluster: mock\n    user: mock\n"
                        + "current-context: mock\n");
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(
                List.of(
                        "-jar",
                        jar.toString(),
                        "--cache-dir",
                        work.resolve("cache").toString(),
                        "--allow-cidrs",
                        "127.0.0.1/32",
                        "--no-server-side-apply",
                        "--no-leader-election",
                        "--bind-address",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port),
                        "--log-level",
                        "WARN"));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("operator.log").toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        Process operator = builder.start();
        try {
            awaitReady(port, operator, work);
            long idleRss = rssKiB(operator.pid(), "VmRSS");

            long start = System.nanoTime();
            for (int i = 0; i < bindings; i++) {
                WasmBindingSpec spec =
                        new WasmBindingSpec(server.url("/m" + (i % modules) + ".wasm"));
                WasmBinding binding =
                        new WasmBinding(String.format(Locale.ROOT, "wb-%04d", i), spec);
                binding.getMetadata().setNamespace("bench");
                client.resource(binding).create();
            }
            long created = System.nanoTime();
            long ready = 0;
            while (true) {
                ready =
                        client
                                .resources(WasmBinding.class)
                                .inNamespace("bench")
                                .list()
                                .getItems()
                                .stream()
                                .filter(
                                        b ->
                                                b.getStatus() != null
                                                        && b.getStatus().getPhase() == Phase.Ready)
                                .count();
                if (ready == bindings || (System.nanoTime() - start) > 300_000_000_000L) {
                    break;
                }
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double createSeconds = (created - start) / 1e9;
            long rss = rssKiB(operator.pid(), "VmRSS");
            long peak = rssKiB(operator.pid(), "VmHWM");
            double heap = heapBytes(port);
            int fetches = 0;
            for (int m = 0; m < modules; m++) {
                fetches += server.hits("/m" + m + ".wasm");
            }
            System.out.printf(
                    Locale.ROOT,
                    "bindings=%d modules=%d ready=%d all_ready_s=%.2f create_s=%.2f http_fetches=%d"
                            + " rss_idle_mib=%.1f rss_mib=%.1f rss_peak_mib=%.1f heap_used_mib=%.1f"
                            + " jvm=\"%s\"%n",
                    bindings,
                    modules,
                    ready,
                    seconds,
                    createSeconds,
                    fetches,
                    idleRss / 1024.0,
                    rss / 1024.0,
                    peak / 1024.0,
                    heap / 1024 / 1024,
                    String.join(" ", jvmOptions));
        } finally {
            operator.destroy();
            operator.waitFor();
            server.close();
            client.close();
            api.destroy();
        }
    }

    private static void awaitReady(int port, Process operator, Path work) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            if (!operator.isAlive()) {
                throw new IllegalStateException(
                        "operator exited: " + Files.readString(work.resolve("operator.log")));
            }
            try {
                var response =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/readyz"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "operator not ready: " + Files.readString(work.resolve("operator.log")));
    }

    private static double heapBytes(int port) throws Exception {
        String metrics =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static long rssKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
