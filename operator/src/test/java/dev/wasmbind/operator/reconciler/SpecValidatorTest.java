package dev.wasmbind.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

    private final SpecValidator validator = new SpecValidator(false, Duration.ofSeconds(10));

    @Test
    void shouldRefuseLimitsTheSidecarWouldRefuse() {
        WasmBindingSpec zeroTimeout = new WasmBindingSpec("https://modules.example/m.wasm");
        zeroTimeout.setLimits(new Limits());
        zeroTimeout.getLimits().setTimeout("0s");
        WasmBindingSpec noConcurrency = new WasmBindingSpec("https://modules.example/m.wasm");
        noConcurrency.setLimits(new Limits());
        noConcurrency.getLimits().setMaxConcurrency(0);
        WasmBindingSpec fractionalBytes = new WasmBindingSpec("https://modules.example/m.wasm");
        fractionalBytes.setLimits(new Limits());
        fractionalBytes.getLimits().setMaxRequestBytes("1.1Ki");

        assertThatThrownBy(() -> validator.validate(zeroTimeout))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("spec.limits.timeout")
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> validator.validate(noConcurrency))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("limits.maxConcurrency must be at least 1");
        assertThatThrownBy(() -> validator.validate(fractionalBytes))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage(
                        "spec.limits: limits.maxRequestBytes is not a whole number of bytes: 1.1Ki");
    }

    @Test
    void shouldRefuseFileUrlsUnlessAllowedAndRelativeOnesAlways() throws Exception {
        assertThatThrownBy(() -> validator.validate(new WasmBindingSpec("file:///m.wasm")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("--allow-file-urls");
        SpecValidator allowing = new SpecValidator(true, Duration.ofSeconds(10));
        assertThat(allowing.validate(new WasmBindingSpec("file:///m.wasm")).url())
                .hasToString("file:///m.wasm");
        assertThatThrownBy(() -> allowing.validate(new WasmBindingSpec("file://m.wasm")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("relative file:// URLs only work in standalone mode");
    }
}
