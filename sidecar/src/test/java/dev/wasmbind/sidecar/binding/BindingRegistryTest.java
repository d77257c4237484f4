package dev.wasmbind.sidecar.binding;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BindingRegistryTest {

    private final BindingRegistry registry = new BindingRegistry();

    @Test
    void shouldReplaceTheBindingItWasGiven() {
        var first = new Binding.Failed("svc", "file://a.wasm", "one");
        var second = new Binding.Failed("svc", "file://a.wasm", "two");
        registry.put(first);

        boolean replaced = registry.replace(first, second);

        assertThat(replaced).isTrue();
        assertThat(registry.get("svc")).containsSame(second);
    }

    @Test
    void shouldNotReplaceABindingThatChangedMeanwhile() {
        var loaded = new Binding.Failed("svc", "file://a.wasm", "old digest");
        var newer = new Binding.Failed("svc", "file://b.wasm", "newer digest");
        registry.put(loaded);
        registry.put(newer);

        boolean replaced =
                registry.replace(loaded, new Binding.Failed("svc", "file://a.wasm", "late"));

        assertThat(replaced).isFalse();
        assertThat(registry.get("svc")).containsSame(newer);
    }

    @Test
    void shouldListBindingsByName() {
        registry.put(new Binding.Failed("b", "", "x"));
        registry.put(new Binding.Failed("a", "", "x"));

        assertThat(registry.all()).extracting(Binding::name).containsExactly("a", "b");
    }
}
