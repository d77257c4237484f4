package dev.wasmbind.sidecar.inpod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BindingViewTest {

    private static final String HEX = "1f3c" + "0".repeat(60);

    /** The example of docs/module-service.md, with a full digest. */
    private static final String VIEW =
            """
            {
              "namespace": "shop",
              "revision": "4f1c",
              "bindings": [
                {
                  "name": "hello",
                  "ready": true,
                  "digest": "sha256:%s",
                  "size": 15237,
                  "url": "oci://registry.example/wasm/hello:1.0",
                  "spec": { "url": "oci://registry.example/wasm/hello:1.0", "args": ["-e"],
                            "env": {}, "strictSandbox": false, "rawData": false,
                            "limits": { "timeout": "10s", "maxMemory": "64Mi", "maxCpu": "1" },
                            "aFieldOfALaterVersion": 1 },
                  "message": "serving sha256:1f3c… (15237 bytes)"
                },
                { "name": "broken", "ready": false, "phase": "Failed",
                  "message": "invalid module from https://…: it imports env.foo" },
                { "name": "typo", "ready": false, "phase": "NotFound",
                  "message": "no WasmBinding named typo in namespace shop" },
                { "name": "coming", "ready": false, "phase": "Pending" }
              ]
            }
            """
                    .formatted(HEX);

    private static BindingView parse(String json) throws Exception {
        return BindingView.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadTheViewOfTheProtocol() throws Exception {
        BindingView view = parse(VIEW);

        assertThat(view.namespace()).isEqualTo("shop");
        assertThat(view.revision()).isEqualTo("4f1c");
        assertThat(view.bindings())
                .extracting(BindingView.Entry::name)
                .containsExactly("hello", "broken", "typo", "coming");
        BindingView.Entry hello = view.bindings().get(0);
        assertThat(hello.ready()).isTrue();
        assertThat(hello.sha256()).isEqualTo(HEX);
        assertThat(hello.size()).isEqualTo(15237);
        assertThat(hello.url()).isEqualTo("oci://registry.example/wasm/hello:1.0");
        var spec = hello.toSpec();
        assertThat(spec.getUrl()).isEqualTo("oci://registry.example/wasm/hello:1.0");
        assertThat(spec.getArgs()).containsExactly("-e");
        assertThat(spec.limitsOrDefaults().timeoutOrDefault()).hasSeconds(10);
        assertThat(spec.limitsOrDefaults().maxMemoryPages()).isEqualTo(1024);
        assertThat(view.bindings().get(1).url()).isEmpty();
    }

    @Test
    void shouldRefuseAReadyBindingWhoseSpecHasAWrongType() {
        assertThatThrownBy(
                        () -> parse(VIEW.replace("\"maxMemory\": \"64Mi\"", "\"maxMemory\": true")))
                .isInstanceOf(BindingView.InvalidViewException.class)
                .hasMessage(
                        "binding hello of the view is invalid: limits.maxMemory must be a"
                                + " quantity such as 64Mi, got true");
    }

    @Test
    void shouldCountFailedAndNotFoundAsDefinitiveAndOtherPhasesNot() throws Exception {
        BindingView view = parse(VIEW);

        assertThat(view.bindings())
                .extracting(BindingView.Entry::definitive)
                .containsExactly(false, true, true, false);
        assertThat(view.bindings().get(1).reason())
                .isEqualTo("Failed: invalid module from https://…: it imports env.foo");
        assertThat(view.bindings().get(3).reason()).isEqualTo("Pending: no reason given");
    }

    @Test
    void shouldSeeTheSameBindingOnlyForTheSameDigestAndSpec() throws Exception {
        var first = parse(VIEW).bindings().get(0);
        var same = parse(VIEW.replace("4f1c\"", "other\"")).bindings().get(0);
        var newSpec = parse(VIEW.replace("\"-e\"", "\"-n\"")).bindings().get(0);
        var newDigest = parse(VIEW.replace(HEX, "2" + HEX.substring(1))).bindings().get(0);

        assertThat(first.sameAs(same)).isTrue();
        assertThat(first.sameAs(newSpec)).isFalse();
        assertThat(first.sameAs(newDigest)).isFalse();
        assertThat(first.sameAs(null)).isFalse();
    }

    @Test
    void shouldRefuseAReadyBindingWithoutAValidDigest() {
        assertThatThrownBy(() -> parse(VIEW.replace("sha256:" + HEX, "sha256:1f3c")))
                .isInstanceOf(BindingView.InvalidViewException.class)
                .hasMessageContaining("binding hello of the view is invalid")
                .hasMessageContaining("is not a SHA-256 digest");
    }

    @Test
    void shouldRefuseAReadyBindingWithoutASpecUrl() {
        String json =
                "{\"revision\":\"1\",\"bindings\":[{\"name\":\"a\",\"ready\":true,"
                        + "\"digest\":\"sha256:"
                        + HEX
                        + "\",\"spec\":{}}]}";

        assertThatThrownBy(() -> parse(json))
                .hasMessageContaining("its spec or spec.url is missing");
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotAView() {
        assertThatThrownBy(() -> parse("[]")).hasMessage("the binding view is not a JSON object");
        assertThatThrownBy(() -> parse("{\"bindings\":[]}"))
                .hasMessage("the binding view has no revision");
        assertThatThrownBy(() -> parse("<html>"))
                .hasMessageStartingWith("the binding view is not JSON");
        assertThatThrownBy(() -> parse(""))
                .hasMessageStartingWith("the binding view is not JSON: no content");
        assertThatThrownBy(() -> parse("{\"revision\":\"1\"} {}"))
                .hasMessageStartingWith("the binding view is not JSON: content after the value");
        assertThatThrownBy(() -> parse("{\"revision\":\"1\",\"bindings\":{}}"))
                .hasMessage("the binding view's bindings are not a list");
        assertThatThrownBy(() -> parse("[".repeat(5000) + "]".repeat(5000)))
                .hasMessageStartingWith("the binding view is not JSON");
    }
}
