package dev.wasmbind.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KubeQuantity reads sizes as fabric8's Quantity did before it replaced it in Limits. */
class KubeQuantityTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                // the examples', tests' and docs' sizes
                "64Mi",
                "4Mi",
                "1Mi",
                "1Ki",
                "64Ki",
                "1Gi",
                "2Mi",
                "256Ki",
                "512k",
                "65536",
                "1048576",
                "2048",
                "0",
                "0.5Gi",
                "1.5Gi",
                ".5Ki",
                "1.",
                "1500000.0",
                // every suffix
                "1k",
                "1M",
                "1G",
                "1T",
                "1P",
                "1E",
                "1Ti",
                "1Pi",
                "1000m",
                "1000000u",
                "1000000000n",
                "7E",
                // exponents, signs and zeros
                "1e6",
                "1E6",
                "1e+3",
                "1.5e3",
                "1.0E20e",
                "12e-1",
                "120e-1",
                "1e0",
                "+4Mi",
                "-0",
                "0.0e5",
                "000123",
                "1.2500Ki",
                "100.000",
                "0.000000000000000001E",
                "9223372036854775807",
                "8Ei",
                "9223372036854775808",
                "9.3E",
                "1e19",
                "1e400",
                "1e-400",
                // refused: fractions, negatives, malformed
                "1.1",
                "1.1Ki",
                "1m",
                "1u",
                "1n",
                "0.1e1e",
                "1e-1",
                "1.0000000000000000001",
                "-1",
                "-1Mi",
                "-0.5Ki",
                "lots",
                "",
                " ",
                "64MB",
                "1 Mi",
                "1K",
                "1ki",
                "1i",
                "1e",
                "1e+",
                "Mi",
                "1.5.5",
                "1Mi5",
                "64Mi ",
                " 64Mi",
                "1e3.5",
                "0x10",
                "1_000"
            })
    void shouldReadSizesAsFabric8sQuantityDoes(String text) {
        Long expected = fabric8Bytes(text);
        if (expected == null) {
            assertThatThrownBy(() -> KubeQuantity.bytes(text))
                    .as(text)
                    .isInstanceOf(IllegalArgumentException.class);
        } else {
            assertThat(KubeQuantity.bytes(text)).as(text).isEqualTo(expected);
        }
    }

    @Test
    void shouldDifferFromFabric8OnlyWhereFabric8StrayedFromKubernetes() {
        // fabric8 computes 2^60 in 16 significant digits: 7Ei became 8070450532247929000
        assertThat(KubeQuantity.bytes("7Ei")).isEqualTo(7L << 60);
        // fabric8 read a lone point as 0; Kubernetes (and the CRD's pattern) refuse it
        assertThatThrownBy(() -> KubeQuantity.bytes("."))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSayWhyASizeIsRefused() {
        assertThatThrownBy(() -> KubeQuantity.bytes("lots"))
                .hasMessage("not a quantity such as 64Mi: \"lots\"");
        assertThatThrownBy(() -> KubeQuantity.bytes("-1Mi")).hasMessage("negative: -1Mi");
        assertThatThrownBy(() -> KubeQuantity.bytes("1.1Ki"))
                .hasMessage("not a whole number of bytes: 1.1Ki");
        assertThatThrownBy(() -> KubeQuantity.bytes("8Ei"))
                .hasMessage("more than 9223372036854775807 bytes: 8Ei");
        assertThatThrownBy(() -> KubeQuantity.bytes(null))
                .hasMessage("not a quantity such as 64Mi: null");
    }

    /** What Limits read before: fabric8's amount in bytes as an exact long, or null if refused. */
    private static Long fabric8Bytes(String text) {
        try {
            long bytes = Quantity.getAmountInBytes(new Quantity(text)).longValueExact();
            return bytes < 0 ? null : bytes;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return null;
        }
    }
}
