package dev.wasmbind.module.source;

import dev.wasmbind.module.source.FetchException.Reason;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Fetches a module from whichever {@link ModuleSource} handles its URL's scheme, caps its size and
 * enforces the {@code sha256} pin. Operator and sidecar both fetch through this class.
 */
public final class ModuleFetcher {

    public static final long DEFAULT_MAX_MODULE_BYTES = 64L * 1024 * 1024;

    private final Map<String, ModuleSource> sources;
    private final long maxModuleBytes;

    private ModuleFetcher(Builder builder) {
        this.sources = Map.copyOf(builder.sources);
        this.maxModuleBytes = builder.maxModuleBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public FetchedModule fetch(FetchRequest request) throws FetchException {
        String scheme =
                request.url().getScheme() == null
                        ? ""
                        : request.url().getScheme().toLowerCase(Locale.ROOT);
        ModuleSource source = sources.get(scheme);
        if (source == null) {
            throw new FetchException(
                    Reason.UNSUPPORTED_SCHEME,
                    "URL scheme '"
                            + scheme
                            + "' of "
                            + request.url()
                            + " is not supported here; use one of "
                            + String.join(", ", sources.keySet().stream().sorted().toList()));
        }
        ModuleSource.Fetched fetched = source.fetch(request, maxModuleBytes);
        String sha256 = Digests.sha256Hex(fetched.bytes());
        if (request.expectedSha256().isPresent()) {
            String expected = Digests.normalizeSha256(request.expectedSha256().get());
            if (!expected.equals(sha256)) {
                throw new FetchException(
                        Reason.DIGEST_MISMATCH,
                        "content of "
                                + request.url()
                                + " has sha256 "
                                + sha256
                                + " but spec.sha256 pins "
                                + expected);
            }
        }
        return new FetchedModule(fetched.bytes(), sha256, fetched.resolvedFrom());
    }

    public static final class Builder {
        private final Map<String, ModuleSource> sources = new HashMap<>();
        private long maxModuleBytes = DEFAULT_MAX_MODULE_BYTES;

        private Builder() {}

        /** Handles {@code scheme} (lowercase, e.g. {@code https}) with {@code source}. */
        public Builder withSource(String scheme, ModuleSource source) {
            sources.put(scheme.toLowerCase(Locale.ROOT), source);
            return this;
        }

        public Builder withMaxModuleBytes(long maxModuleBytes) {
            this.maxModuleBytes = maxModuleBytes;
            return this;
        }

        public ModuleFetcher build() {
            return new ModuleFetcher(this);
        }
    }
}
