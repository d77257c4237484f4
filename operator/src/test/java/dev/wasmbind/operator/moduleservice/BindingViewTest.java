package dev.wasmbind.operator.moduleservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wasmbind.api.v1alpha1.WasmBinding;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BindingViewTest {

    private static final String HEX = "1f3c".repeat(16);
    private static final String OTHER_HEX = "ab12".repeat(16);

    private final BindingViews views = BindingViews.detached();

    @Test
    void shouldListAReadyBindingWithDigestSizeAndTheSpecAsStored() throws Exception {
        views.upsert(Bindings.ready("shop", "hello", HEX, 15237));

        JsonNode answer = json(views.view("shop", Optional.empty()));

        assertThat(answer.get("namespace").asText()).isEqualTo("shop");
        JsonNode hello = answer.get("bindings").get(0);
        assertThat(hello.get("name").asText()).isEqualTo("hello");
        assertThat(hello.get("ready").asBoolean()).isTrue();
        assertThat(hello.get("digest").asText()).isEqualTo("sha256:" + HEX);
        assertThat(hello.get("size").asLong()).isEqualTo(15237);
        assertThat(hello.get("url").asText()).isEqualTo("https://modules.example/hello.wasm");
        assertThat(hello.get("message").asText()).contains("serving sha256:" + HEX);
        WasmBindingSpec spec =
                Serialization.jsonMapper().treeToValue(hello.get("spec"), WasmBindingSpec.class);
        assertThat(spec.getArgs()).containsExactly("-e");
        assertThat(spec.getEnv()).containsEntry("GREETING", "hello");
        assertThat(spec.strictSandboxEnabled()).isTrue();
    }

    @Test
    void shouldListANotReadyBindingWithItsPhaseAndReason() throws Exception {
        views.upsert(Bindings.failed("shop", "broken", "invalid module: imports env.foo"));

        JsonNode broken = json(views.view("shop", Optional.empty())).get("bindings").get(0);

        assertThat(broken.get("ready").asBoolean()).isFalse();
        assertThat(broken.get("phase").asText()).isEqualTo("Failed");
        assertThat(broken.get("message").asText()).isEqualTo("invalid module: imports env.foo");
        assertThat(broken.has("digest")).isFalse();
        assertThat(broken.has("spec")).isFalse();
    }

    @Test
    void shouldNotCallReadyAStatusOfAnOlderGeneration() throws Exception {
        WasmBinding binding = Bindings.ready("shop", "hello", HEX, 10);
        binding.getMetadata().setGeneration(2L);
        views.upsert(binding);

        JsonNode hello = json(views.view("shop", Optional.empty())).get("bindings").get(0);

        assertThat(hello.get("ready").asBoolean()).isFalse();
        assertThat(hello.get("phase").asText()).isEqualTo("Pending");
        assertThat(hello.get("message").asText()).contains("generation 2");
    }

    @Test
    void shouldListOnlyTheNamesAskedForAndNameTheMissingOnes() throws Exception {
        views.upsert(Bindings.ready("shop", "hello", HEX, 10));
        views.upsert(Bindings.ready("shop", "other", OTHER_HEX, 10));

        JsonNode bindings =
                json(views.view("shop", Optional.of(List.of("typo", "hello")))).get("bindings");

        assertThat(bindings).hasSize(2);
        assertThat(bindings.get(0).get("name").asText()).isEqualTo("typo");
        assertThat(bindings.get(0).get("phase").asText()).isEqualTo("NotFound");
        assertThat(bindings.get(0).get("message").asText())
                .isEqualTo("no WasmBinding named typo in namespace shop");
        assertThat(bindings.get(1).get("name").asText()).isEqualTo("hello");
    }

    @Test
    void shouldShowOnlyTheNamespaceAskedFor() throws Exception {
        views.upsert(Bindings.ready("shop", "hello", HEX, 10));
        views.upsert(Bindings.ready("billing", "hello", OTHER_HEX, 10));

        JsonNode bindings = json(views.view("shop", Optional.empty())).get("bindings");

        assertThat(bindings).hasSize(1);
        assertThat(bindings.get(0).get("digest").asText()).isEqualTo("sha256:" + HEX);
        assertThat(views.withDigest("shop", "sha256:" + OTHER_HEX)).isEmpty();
        assertThat(views.withDigest("billing", "sha256:" + OTHER_HEX)).isPresent();
    }

    @Test
    void shouldGiveTheSameRevisionForTheSameContentAndAnotherForAChange() {
        views.upsert(Bindings.ready("shop", "hello", HEX, 10));
        String first = views.view("shop", Optional.empty()).revision();

        views.upsert(Bindings.ready("shop", "hello", HEX, 10));
        assertThat(views.view("shop", Optional.empty()).revision()).isEqualTo(first);

        views.upsert(Bindings.ready("shop", "hello", OTHER_HEX, 10));
        String changed = views.view("shop", Optional.empty()).revision();
        assertThat(changed).isNotEqualTo(first).hasSize(BindingView.REVISION_LENGTH);
    }

    @Test
    void shouldKeepTheRevisionWhenAnotherBindingChanges() {
        views.upsert(Bindings.ready("shop", "hello", HEX, 10));
        String first = views.view("shop", Optional.of(List.of("hello"))).revision();

        views.upsert(Bindings.ready("shop", "other", OTHER_HEX, 10));

        assertThat(views.view("shop", Optional.of(List.of("hello"))).revision()).isEqualTo(first);
    }

    @Test
    void shouldWakeOnlyTheListenersOfTheChangedNamespace() {
        AtomicInteger shop = new AtomicInteger();
        AtomicInteger billing = new AtomicInteger();
        views.subscribe("shop", shop::incrementAndGet);
        BindingViews.Subscription subscription =
                views.subscribe("billing", billing::incrementAndGet);

        views.upsert(Bindings.ready("shop", "hello", HEX, 10));
        views.delete(Bindings.ready("shop", "hello", HEX, 10));
        subscription.close();
        views.upsert(Bindings.ready("billing", "hello", HEX, 10));

        assertThat(shop).hasValue(2);
        assertThat(billing).hasValue(0);
        assertThat(views.subscribers()).isEqualTo(1);
    }

    private static JsonNode json(BindingView view) throws Exception {
        return Serialization.jsonMapper().readTree(view.json());
    }
}
