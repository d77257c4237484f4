package dev.wasmbind.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.command.LogFormat;
import dev.wasmbind.command.LogLevel;
import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.operator.guard.NetworkGuard;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

    /** A value of each component type that differs from every default. */
    private static final Map<Class<?>, Object> OTHER_VALUES =
            Map.ofEntries(
                    Map.entry(Set.class, Set.of("team-a")),
                    Map.entry(Path.class, Path.of("/tmp/elsewhere")),
                    Map.entry(boolean.class, true),
                    Map.entry(AddressGuard.class, NetworkGuard.builder().build()),
                    Map.entry(long.class, 123_456L),
                    Map.entry(Duration.class, Duration.ofSeconds(4321)),
                    Map.entry(int.class, 4321),
                    Map.entry(String.class, "changed"),
                    Map.entry(LogLevel.class, LogLevel.trace),
                    Map.entry(LogFormat.class, LogFormat.json),
                    Map.entry(
                            ModuleServiceSettings.class,
                            ModuleServiceSettings.of(Path.of("/tls/crt"), Path.of("/tls/key"))));

    @Test
    void shouldChangeOnlyItsOwnComponentInEveryWither() throws Exception {
        OperatorSettings defaults = OperatorSettings.defaults();
        RecordComponent[] components = OperatorSettings.class.getRecordComponents();

        for (RecordComponent component : components) {
            String name = component.getName();
            Method wither =
                    OperatorSettings.class.getMethod(
                            "with" + Character.toUpperCase(name.charAt(0)) + name.substring(1),
                            component.getType());
            Object value = OTHER_VALUES.get(component.getType());
            if (component.getType() == boolean.class) {
                value = !(boolean) component.getAccessor().invoke(defaults);
            }

            OperatorSettings changed = (OperatorSettings) wither.invoke(defaults, value);

            for (RecordComponent other : components) {
                Object before = other.getAccessor().invoke(defaults);
                Object after = other.getAccessor().invoke(changed);
                if (other.equals(component)) {
                    assertThat(after).as(name).isEqualTo(value).isNotEqualTo(before);
                } else {
                    assertThat(after)
                            .as(other.getName() + " after " + wither.getName())
                            .isEqualTo(before);
                }
            }
        }
        assertThat(
                        Arrays.stream(OperatorSettings.class.getMethods())
                                .filter(m -> m.getName().startsWith("with"))
                                .count())
                .isEqualTo(components.length);
    }

    @Test
    void shouldCheckAChangedCopyLikeANewOne() {
        assertThatThrownBy(() -> OperatorSettings.defaults().withReconcileThreads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--reconcile-threads");
    }
}
