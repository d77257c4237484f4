package dev.wasmbind.sidecar.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WasmBindingSpecReaderTest {

    private static final WasmBindingSpecReader STRICT =
            WasmBindingSpecReader.refusingUnknownFields();
    private static final WasmBindingSpecReader LENIENT =
            WasmBindingSpecReader.ignoringUnknownFields();

    /** A spec with a url and {@code field} set to {@code value} (null allowed). */
    private static Map<String, Object> specWith(String field, Object value) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("url", "file:///a.wasm");
        spec.put(field, value);
        return spec;
    }

    private static Map<String, Object> limitsWith(String field, Object value) {
        Map<String, Object> limits = new HashMap<>();
        limits.put(field, value);
        return specWith("limits", limits);
    }

    private static String problemOf(Object spec) {
        try {
            STRICT.read(spec);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("read without a problem: " + spec);
    }

    @Test
    void shouldReadEveryField() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("url", "oci://registry.test/wasm/hello:1.0");
        spec.put("sha256", "0123" + "0".repeat(60));
        spec.put("strictSandbox", true);
        spec.put("rawData", "true");
        spec.put("args", List.of("-e", "--x=1"));
        spec.put("env", Map.of("GREETING", "hi"));
        spec.put(
                "limits",
                Map.of(
                        "timeout", "1m30s",
                        "maxMemory", "16Mi",
                        "maxConcurrency", 3,
                        "maxRequestBytes", "1Mi",
                        "maxResponseBytes", "2Ki"));
        spec.put("outbound", Map.of("allowedHosts", List.of("api.test", "*.example.test")));
        spec.put("pullSecret", "registry-credentials");
        spec.put("refreshInterval", "5m");

        WasmBindingSpec read = STRICT.read(spec);

        assertThat(read.getUrl()).isEqualTo("oci://registry.test/wasm/hello:1.0");
        assertThat(read.getSha256()).isEqualTo("0123" + "0".repeat(60));
        assertThat(read.strictSandboxEnabled()).isTrue();
        assertThat(read.rawDataEnabled()).isTrue();
        assertThat(read.getArgs()).containsExactly("-e", "--x=1");
        assertThat(read.getEnv()).containsExactly(Map.entry("GREETING", "hi"));
        var limits = read.getLimits();
        assertThat(limits.timeoutOrDefault()).isEqualTo(Duration.ofSeconds(90));
        assertThat(limits.maxMemoryPages()).isEqualTo(256);
        assertThat(limits.maxConcurrencyOrDefault()).isEqualTo(3);
        assertThat(limits.maxRequestBytesOrDefault()).isEqualTo(1024 * 1024);
        assertThat(limits.maxResponseBytesOrDefault()).isEqualTo(2048);
        assertThat(read.allowedHostsOrEmpty()).containsExactly("api.test", "*.example.test");
        assertThat(read.getPullSecret()).isEqualTo("registry-credentials");
        assertThat(read.getRefreshInterval()).isEqualTo("5m");
    }

    @Test
    void shouldLeaveAbsentAndNullFieldsUnset() {
        Map<String, Object> nulls = new HashMap<>();
        for (String field :
                List.of(
                        "url",
                        "sha256",
                        "strictSandbox",
                        "rawData",
                        "args",
                        "env",
                        "limits",
                        "outbound",
                        "pullSecret",
                        "refreshInterval")) {
            nulls.put(field, null);
        }

        for (WasmBindingSpec read : List.of(STRICT.read(Map.of()), STRICT.read(nulls))) {
            assertThat(read.getUrl()).isNull();
            assertThat(read.getSha256()).isNull();
            assertThat(read.getStrictSandbox()).isNull();
            assertThat(read.getRawData()).isNull();
            assertThat(read.getArgs()).isEmpty();
            assertThat(read.getEnv()).isEmpty();
            assertThat(read.getLimits()).isNull();
            assertThat(read.getOutbound()).isNull();
            assertThat(read.getPullSecret()).isNull();
            assertThat(read.getRefreshInterval()).isNull();
        }
        var limits = STRICT.read(limitsWith("maxMemory", null)).getLimits();
        assertThat(limits.getMaxMemory()).isNull();
        assertThat(limits.maxMemoryPages()).isEqualTo(1024);
        assertThat(STRICT.read(specWith("outbound", Map.of())).allowedHostsOrEmpty()).isEmpty();
    }

    @Test
    void shouldTakeAnyScalarAsTheTextOfAStringField() {
        assertThat(STRICT.read(specWith("pullSecret", true)).getPullSecret()).isEqualTo("true");
        assertThat(STRICT.read(specWith("refreshInterval", 10)).getRefreshInterval())
                .isEqualTo("10");
        assertThat(STRICT.read(specWith("env", Map.of("V", new BigDecimal("1.10")))).getEnv())
                .containsEntry("V", "1.10");
        assertThat(STRICT.read(specWith("args", List.of(1, false))).getArgs())
                .containsExactly("1", "false");
        assertThat(STRICT.read(limitsWith("timeout", "10s")).getLimits().getTimeout())
                .isEqualTo("10s");
    }

    @Test
    void shouldReadBooleansAsJacksonAndYamlWroteThem() {
        for (Object yes : List.of(true, "true", "True", "TRUE", "yes", "On", "1", 1)) {
            assertThat(STRICT.read(specWith("strictSandbox", yes)).getStrictSandbox())
                    .as("%s", yes)
                    .isTrue();
        }
        for (Object no : List.of(false, "false", "False", "no", "OFF", "0", 0L)) {
            assertThat(STRICT.read(specWith("rawData", no)).getRawData()).as("%s", no).isFalse();
        }
        assertThat(STRICT.read(specWith("strictSandbox", "")).getStrictSandbox()).isNull();
    }

    @Test
    void shouldRefuseABooleanItCannotRead() {
        assertThat(problemOf(specWith("strictSandbox", "enabled")))
                .isEqualTo("strictSandbox must be true or false, got \"enabled\"");
        assertThat(problemOf(specWith("rawData", 2)))
                .isEqualTo("rawData must be true or false, got 2");
        assertThat(problemOf(specWith("rawData", new BigDecimal("1.0"))))
                .isEqualTo("rawData must be true or false, got 1.0");
        assertThat(problemOf(specWith("strictSandbox", List.of(true))))
                .isEqualTo("strictSandbox must be true or false, got a list");
    }

    @Test
    void shouldReadIntegersWrittenAsNumbersOrStrings() {
        for (Object five : List.of(5, 5L, "5", " 5 ", "+5", "5.0", new BigDecimal("5.00"))) {
            assertThat(
                            STRICT.read(limitsWith("maxConcurrency", five))
                                    .getLimits()
                                    .getMaxConcurrency())
                    .as("%s", five)
                    .isEqualTo(5);
        }
        assertThat(STRICT.read(limitsWith("maxConcurrency", "")).getLimits().getMaxConcurrency())
                .isNull();
    }

    @Test
    void shouldRefuseAnIntegerItCannotRead() {
        assertThat(problemOf(limitsWith("maxConcurrency", "many")))
                .isEqualTo("limits.maxConcurrency must be an integer, got \"many\"");
        assertThat(problemOf(limitsWith("maxConcurrency", "5.5")))
                .isEqualTo("limits.maxConcurrency must be an integer, got \"5.5\"");
        assertThat(problemOf(limitsWith("maxConcurrency", 99_999_999_999L)))
                .isEqualTo("limits.maxConcurrency must be an integer, got 99999999999");
        assertThat(problemOf(limitsWith("maxConcurrency", "1e999999999")))
                .isEqualTo("limits.maxConcurrency must be an integer, got \"1e999999999\"");
        assertThat(problemOf(limitsWith("maxConcurrency", true)))
                .isEqualTo("limits.maxConcurrency must be an integer, got true");
        assertThat(problemOf(limitsWith("maxConcurrency", Map.of("n", 1))))
                .isEqualTo("limits.maxConcurrency must be an integer, got an object");
    }

    @Test
    void shouldLeaveTheRangeOfLimitsToLimits() {
        var limits = STRICT.read(limitsWith("maxConcurrency", 0)).getLimits();

        assertThatThrownBy(limits::maxConcurrencyOrDefault)
                .hasMessage("limits.maxConcurrency must be at least 1, not 0");
    }

    @Test
    void shouldReadQuantitiesWrittenAsStringsOrNumbers() {
        assertThat(STRICT.read(limitsWith("maxMemory", "1Gi")).getLimits().maxMemoryPages())
                .isEqualTo(16384);
        assertThat(
                        STRICT.read(limitsWith("maxRequestBytes", 1_048_576))
                                .getLimits()
                                .maxRequestBytesOrDefault())
                .isEqualTo(1_048_576);
        assertThat(
                        STRICT.read(limitsWith("maxResponseBytes", new BigDecimal("1.5")))
                                .getLimits()
                                .getMaxResponseBytes())
                .isEqualTo("1.5");
    }

    @Test
    void shouldLeaveSizesToLimitsWhichNameTheFieldItCannotUse() {
        var limits = STRICT.read(limitsWith("maxMemory", "64MB")).getLimits();

        assertThat(limits.getMaxMemory()).isEqualTo("64MB");
        assertThatThrownBy(limits::maxMemoryPages)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits.maxMemory is not a quantity such as 64Mi: \"64MB\"");
    }

    @Test
    void shouldRefuseAQuantityItCannotRead() {
        assertThat(problemOf(limitsWith("maxMemory", "")))
                .isEqualTo("limits.maxMemory must be a quantity such as 64Mi, got \"\"");
        assertThat(problemOf(limitsWith("maxRequestBytes", true)))
                .isEqualTo("limits.maxRequestBytes must be a quantity such as 64Mi, got true");
        assertThat(problemOf(limitsWith("maxResponseBytes", List.of("4Mi"))))
                .isEqualTo("limits.maxResponseBytes must be a quantity such as 64Mi, got a list");
    }

    @Test
    void shouldRefuseValuesOfTheWrongShapeNamingTheirPath() {
        assertThat(problemOf(5)).isEqualTo("spec must be an object with fields, got 5");
        assertThat(problemOf(specWith("url", List.of("file:///a.wasm"))))
                .isEqualTo("url must be a string, got a list");
        assertThat(problemOf(specWith("sha256", Map.of())))
                .isEqualTo("sha256 must be a string, got an object");
        assertThat(problemOf(specWith("limits", "small")))
                .isEqualTo("limits must be an object with fields, got \"small\"");
        assertThat(problemOf(specWith("outbound", List.of("api.test"))))
                .isEqualTo("outbound must be an object with fields, got a list");
        assertThat(problemOf(specWith("args", "-x")))
                .isEqualTo("args must be a list of strings, got \"-x\"");
        assertThat(problemOf(specWith("args", Arrays.asList("-x", null))))
                .isEqualTo("args[1] must be a string, got null");
        assertThat(problemOf(specWith("args", List.of(List.of("a")))))
                .isEqualTo("args[0] must be a string, got a list");
        assertThat(problemOf(specWith("env", List.of("A=1"))))
                .isEqualTo("env must be an object of strings, got a list");
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("D", null);
        assertThat(problemOf(specWith("env", nullValue)))
                .isEqualTo("env.D must be a string, got null");
        assertThat(problemOf(specWith("env", Map.of("E", Map.of("x", "y")))))
                .isEqualTo("env.E must be a string, got an object");
        assertThat(problemOf(specWith("outbound", Map.of("allowedHosts", "api.test"))))
                .isEqualTo("outbound.allowedHosts must be a list of strings, got \"api.test\"");
        assertThat(problemOf(specWith("outbound", Map.of("allowedHosts", List.of(List.of())))))
                .isEqualTo("outbound.allowedHosts[0] must be a string, got a list");
    }

    @Test
    void shouldCutLongValuesInMessages() {
        assertThat(problemOf(limitsWith("maxConcurrency", "x".repeat(1000))))
                .isEqualTo(
                        "limits.maxConcurrency must be an integer, got \""
                                + "x".repeat(64)
                                + "…\"");
    }

    @Test
    void shouldRefuseUnknownFieldsAtEveryLevelWhenAskedTo() {
        assertThat(problemOf(specWith("strictSandBox", true)))
                .isEqualTo(
                        "unknown field \"strictSandBox\" (known: url, sha256, strictSandbox,"
                                + " rawData, args, env, limits, outbound, pullSecret,"
                                + " refreshInterval)");
        assertThat(problemOf(limitsWith("maxMemmory", "1Mi")))
                .isEqualTo(
                        "unknown field \"limits.maxMemmory\" (known: timeout, maxMemory,"
                                + " maxConcurrency, maxRequestBytes, maxResponseBytes)");
        assertThat(problemOf(specWith("outbound", Map.of("hosts", List.of()))))
                .isEqualTo("unknown field \"outbound.hosts\" (known: allowedHosts)");
    }

    @Test
    void shouldIgnoreUnknownFieldsAtEveryLevelOtherwise() {
        Map<String, Object> spec = specWith("aFieldOfALaterVersion", 1);
        spec.put("limits", Map.of("timeout", "2s", "maxCpu", "1"));
        spec.put("outbound", Map.of("allowedHosts", List.of("api.test"), "deniedHosts", "x"));

        WasmBindingSpec read = LENIENT.read(spec);

        assertThat(read.getUrl()).isEqualTo("file:///a.wasm");
        assertThat(read.getLimits().getTimeout()).isEqualTo("2s");
        assertThat(read.allowedHostsOrEmpty()).containsExactly("api.test");
        assertThat(problemOf(spec)).startsWith("unknown field \"aFieldOfALaterVersion\"");
    }

    @Test
    void shouldStillRefuseWrongTypesWhenIgnoringUnknownFields() {
        assertThatThrownBy(() -> LENIENT.read(limitsWith("maxConcurrency", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limits.maxConcurrency must be an integer, got \"many\"");
    }
}
