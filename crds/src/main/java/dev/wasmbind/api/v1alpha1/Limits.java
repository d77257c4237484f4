package dev.wasmbind.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.wasmbind.api.GoDuration;
import dev.wasmbind.api.KubeQuantity;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;

/**
 * Per-call limits of a binding. Every field is optional and has a default. Sizes are kept as the
 * quantity text the user wrote and read by {@link KubeQuantity}, not as fabric8's {@code Quantity}:
 * the sidecar reads them without fabric8's model on its class path; {@code @SchemaFrom} keeps the
 * CRD's int-or-string schema.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Limits {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_MAX_MEMORY_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONCURRENCY = 16;

    /** A Kubernetes quantity without a sign (sizes are never negative). */
    public static final String QUANTITY_PATTERN =
            "^(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    /** A Go duration: one or more number+unit pairs. */
    public static final String DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";

    /** WebAssembly memory is counted in pages of 64 KiB. */
    public static final long WASM_PAGE_BYTES = 64L * 1024;

    @Pattern(DURATION_PATTERN)
    @JsonPropertyDescription(
            "Longest a call may run, as a duration such as 500ms, 10s or 1m30s; the guest is"
                    + " interrupted and the call answers 504. Default 10s.")
    private String timeout;

    @SchemaFrom(type = IntOrString.class)
    @Pattern(QUANTITY_PATTERN)
    @JsonPropertyDescription(
            "Most linear memory a guest may grow to, as a quantity such as 64Mi; rounded down"
                    + " to whole 64Ki wasm pages. Default 64Mi.")
    private String maxMemory;

    @Min(1)
    @Max(10000)
    @JsonPropertyDescription(
            "Most calls of this binding running at once in one sidecar; further calls answer"
                    + " 429 with Retry-After. Default 16.")
    private Integer maxConcurrency;

    @SchemaFrom(type = IntOrString.class)
    @Pattern(QUANTITY_PATTERN)
    @JsonPropertyDescription(
            "Largest request body accepted, as a quantity such as 4Mi; larger requests answer"
                    + " 413. Default 4Mi.")
    private String maxRequestBytes;

    @SchemaFrom(type = IntOrString.class)
    @Pattern(QUANTITY_PATTERN)
    @JsonPropertyDescription(
            "Largest STDOUT a call may produce, as a quantity such as 4Mi; a call writing more"
                    + " fails. Default 4Mi.")
    private String maxResponseBytes;

    public Limits() {}

    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public String getMaxMemory() {
        return maxMemory;
    }

    public void setMaxMemory(String maxMemory) {
        this.maxMemory = maxMemory;
    }

    public Integer getMaxConcurrency() {
        return maxConcurrency;
    }

    public void setMaxConcurrency(Integer maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
    }

    public String getMaxRequestBytes() {
        return maxRequestBytes;
    }

    public void setMaxRequestBytes(String maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    public String getMaxResponseBytes() {
        return maxResponseBytes;
    }

    public void setMaxResponseBytes(String maxResponseBytes) {
        this.maxResponseBytes = maxResponseBytes;
    }

    /** The timeout, or the default. Throws IllegalArgumentException unless it is positive. */
    public Duration timeoutOrDefault() {
        if (timeout == null) {
            return DEFAULT_TIMEOUT;
        }
        Duration parsed = GoDuration.parse(timeout);
        if (parsed.isZero() || parsed.isNegative()) {
            throw new IllegalArgumentException("limits.timeout must be positive, not " + timeout);
        }
        return parsed;
    }

    /** The memory cap in whole wasm pages (at least one). */
    public int maxMemoryPages() {
        long bytes = bytesOrDefault("limits.maxMemory", maxMemory, DEFAULT_MAX_MEMORY_BYTES);
        long pages = bytes / WASM_PAGE_BYTES;
        if (pages < 1) {
            throw new IllegalArgumentException(
                    "limits.maxMemory " + maxMemory + " is smaller than one 64Ki wasm page");
        }
        return (int) Math.min(pages, 65536);
    }

    public long maxRequestBytesOrDefault() {
        return bytesOrDefault("limits.maxRequestBytes", maxRequestBytes, DEFAULT_MAX_REQUEST_BYTES);
    }

    public long maxResponseBytesOrDefault() {
        return bytesOrDefault(
                "limits.maxResponseBytes", maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES);
    }

    /** The concurrency cap, or the default. Throws IllegalArgumentException below 1. */
    public int maxConcurrencyOrDefault() {
        if (maxConcurrency == null) {
            return DEFAULT_MAX_CONCURRENCY;
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException(
                    "limits.maxConcurrency must be at least 1, not " + maxConcurrency);
        }
        return maxConcurrency;
    }

    /** Throws IllegalArgumentException naming the field, e.g. "limits.maxMemory is negative". */
    private static long bytesOrDefault(String field, String quantity, long fallback) {
        if (quantity == null) {
            return fallback;
        }
        try {
            return KubeQuantity.bytes(quantity);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " is " + e.getMessage(), e);
        }
    }
}
