package dev.wasmbind.sidecar.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scrape before any call already shows every sidecar-wide meter, at its idle value. */
class StandaloneFirstScrapeIT {

    @TempDir Path resources;

    @Test
    void shouldShowTheSidecarWideMetersOnAScrapeBeforeAnyCall() throws Exception {
        try (var sidecar = StandaloneSidecar.builder(resources).withPort(0).start()) {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + sidecar.port()
                                                                    + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body())
                    .contains("wasmbind_guests_stuck 0")
                    .contains("wasmbind_guests_abandoned_total 0")
                    .contains("wasmbind_watchdog_errors_total 0")
                    .contains("wasmbind_guest_memory_reserved_bytes 0")
                    .containsPattern("wasmbind_guest_memory_budget_bytes [1-9]");
        }
    }
}
