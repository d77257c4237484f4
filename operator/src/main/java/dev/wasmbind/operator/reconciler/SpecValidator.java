package dev.wasmbind.operator.reconciler;

import dev.wasmbind.api.GoDuration;
import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.Digests;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks what the CRD schema cannot: that the URL is one the operator will fetch, and that
 * durations and quantities parse. Every refusal says which field is wrong and why.
 */
public final class SpecValidator {

    private static final Set<String> SCHEMES = Set.of("http", "https", "oci", "file");

    private final boolean allowFileUrls;
    private final Duration minRefreshInterval;

    public SpecValidator(boolean allowFileUrls, Duration minRefreshInterval) {
        this.allowFileUrls = allowFileUrls;
        this.minRefreshInterval = minRefreshInterval;
    }

    public BindingPlan validate(WasmBindingSpec spec) throws InvalidSpecException {
        if (spec == null || spec.getUrl() == null || spec.getUrl().isBlank()) {
            throw new InvalidSpecException("spec.url is required");
        }
        URI url = url(spec.getUrl().strip());
        Optional<String> pin = Optional.empty();
        if (spec.getSha256() != null && !spec.getSha256().isBlank()) {
            try {
                pin = Optional.of(Digests.normalizeSha256(spec.getSha256()));
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException("spec.sha256: " + e.getMessage());
            }
        }
        Optional<Duration> refresh = Optional.empty();
        if (spec.getRefreshInterval() != null && !spec.getRefreshInterval().isBlank()) {
            Duration interval = duration("spec.refreshInterval", spec.getRefreshInterval());
            if (interval.compareTo(minRefreshInterval) < 0) {
                throw new InvalidSpecException(
                        "spec.refreshInterval "
                                + spec.getRefreshInterval()
                                + " is shorter than the operator's minimum of "
                                + minRefreshInterval
                                        .toString()
                                        .substring(2)
                                        .toLowerCase(Locale.ROOT));
            }
            refresh = Optional.of(interval);
        }
        if (pin.isPresent() || isOciDigestReference(url)) {
            // Content pinned by digest cannot change: there is nothing to refresh.
            refresh = Optional.empty();
        }
        checkLimits(spec.limitsOrDefaults());
        Optional<String> secret =
                spec.getPullSecret() == null || spec.getPullSecret().isBlank()
                        ? Optional.empty()
                        : Optional.of(spec.getPullSecret().strip());
        return new BindingPlan(url, pin, secret, refresh);
    }

    private URI url(String text) throws InvalidSpecException {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidSpecException(
                    "spec.url '" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new InvalidSpecException(
                    "spec.url '" + text + "' must start with http://, https://, oci:// or file://");
        }
        if (scheme.equals("file")) {
            if (!allowFileUrls) {
                throw new InvalidSpecException(
                        "spec.url '"
                                + text
                                + "': file:// URLs are refused in the cluster (they would read the"
                                + " operator's own files); the operator allows them only when"
                                + " started with --allow-file-urls");
            }
            if (!text.startsWith("file:///")) {
                throw new InvalidSpecException(
                        "spec.url '"
                                + text
                                + "': relative file:// URLs only work in standalone mode; use"
                                + " file:///absolute/path.wasm");
            }
            return url;
        }
        if (!scheme.equals("oci") && (url.getHost() == null || url.getHost().isBlank())) {
            throw new InvalidSpecException("spec.url '" + text + "' has no host");
        }
        return url;
    }

    private static boolean isOciDigestReference(URI url) {
        return "oci".equalsIgnoreCase(url.getScheme()) && url.toString().contains("@sha256:");
    }

    private static Duration duration(String field, String text) throws InvalidSpecException {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field + ": " + e.getMessage());
        }
    }

    private static void checkLimits(Limits limits) throws InvalidSpecException {
        try {
            limits.timeoutOrDefault();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("spec.limits.timeout: " + e.getMessage());
        }
        try {
            limits.maxMemoryPages();
            limits.maxConcurrencyOrDefault();
            limits.maxRequestBytesOrDefault();
            limits.maxResponseBytesOrDefault();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("spec.limits: " + e.getMessage());
        }
    }
}
