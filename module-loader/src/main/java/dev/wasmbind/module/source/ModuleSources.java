package dev.wasmbind.module.source;

import java.util.function.Supplier;

/** The scheme table: the one place that maps {@code file}, {@code http(s)} and {@code oci}. */
public final class ModuleSources {

    private ModuleSources() {}

    /**
     * A fetcher for {@code policy}. The HTTP and OCI clients are built on their first fetch: they
     * set up TLS when built, hundreds of classes and a tenth of a second at start-up that bindings
     * read from files never need.
     */
    public static ModuleFetcher fetcher(FetchPolicy policy) {
        ModuleSource http = new LazySource(() -> HttpSource.of(policy));
        ModuleFetcher.Builder fetcher =
                ModuleFetcher.builder()
                        .withSource("http", http)
                        .withSource("https", http)
                        .withSource("oci", new LazySource(() -> OciSource.of(policy)))
                        .withMaxModuleBytes(policy.maxModuleBytes());
        policy.fileBase().ifPresent(base -> fetcher.withSource("file", new FileSource(base)));
        return fetcher.build();
    }

    /** A source built on its first fetch. */
    private static final class LazySource implements ModuleSource {
        private final Supplier<ModuleSource> factory;
        private ModuleSource source;

        LazySource(Supplier<ModuleSource> factory) {
            this.factory = factory;
        }

        @Override
        public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
            return source().fetch(request, maxBytes);
        }

        private synchronized ModuleSource source() {
            if (source == null) {
                source = factory.get();
            }
            return source;
        }
    }
}
