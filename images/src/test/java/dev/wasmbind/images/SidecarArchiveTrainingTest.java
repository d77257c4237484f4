package dev.wasmbind.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.images.SidecarArchiveTraining.TrainingCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image's archive training reads the requests scripts/sidecar-jvm.sh's training makes. */
class SidecarArchiveTrainingTest {

    private static final Path ROOT = Path.of(System.getProperty("wasmbind.root", ".."));

    @Test
    void shouldReadTheTrainingCallsSharedWithTheScripts() throws Exception {
        List<TrainingCall> calls =
                TrainingCall.parse(
                        Files.readAllLines(ROOT.resolve("scripts/sidecar-training-calls.txt")));

        // Every example binding is called once, so its request path is in the archive.
        for (String binding : List.of("hello", "uppercase", "echo-args", "json-greet")) {
            assertThat(ROOT.resolve("examples/bindings/" + binding + ".yaml")).isRegularFile();
            assertThat(calls)
                    .anySatisfy(
                            call -> {
                                assertThat(call.method()).isEqualTo("POST");
                                assertThat(call.path()).isEqualTo("/v1.0/bindings/" + binding);
                                assertThat(call.body()).startsWith("{\"operation\":\"execute\"");
                            });
        }
        assertThat(calls).contains(new TrainingCall("GET", "/v1.0/metadata", ""));
        assertThat(calls).contains(new TrainingCall("GET", "/metrics", ""));
    }

    @Test
    void shouldRefuseALineThatIsNotARequest() {
        assertThatThrownBy(() -> TrainingCall.parse(List.of("hello {\"operation\":\"execute\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("METHOD PATH");
    }

    @Test
    void shouldTrainWritingTheCacheInPlaceOfReadingIt() {
        List<String> entrypoint =
                List.of(
                        "java",
                        "-XX:AOTCache=/app/wasmbind-sidecar.aot",
                        "-Xlog:aot*=off",
                        "-Xlog:cds*=off",
                        "-jar",
                        "/app/wasmbind-sidecar.jar");

        assertThat(SidecarArchiveTraining.trainingEntrypoint(entrypoint))
                .containsExactly(
                        "java",
                        "-XX:AOTCacheOutput=" + SidecarArchiveTraining.TRAINED_ARCHIVE,
                        "-jar",
                        "/app/wasmbind-sidecar.jar");
        assertThatThrownBy(
                        () ->
                                SidecarArchiveTraining.trainingEntrypoint(
                                        List.of("java", "-jar", "/app/wasmbind-sidecar.jar")))
                .hasMessageContaining("-XX:AOTCache=");
    }
}
