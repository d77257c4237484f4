package dev.wasmbind.module.source;

/** Fetches module bytes for the URL schemes it handles; {@link ModuleFetcher} picks one. */
public interface ModuleSource {

    /**
     * Fetches the bytes, reading at most {@code maxBytes} (more is {@link
     * FetchException.Reason#TOO_LARGE}).
     *
     * @return the bytes and where they came from; the digest is checked by {@link ModuleFetcher}
     */
    Fetched fetch(FetchRequest request, long maxBytes) throws FetchException;

    /** The raw result of a source. */
    record Fetched(byte[] bytes, String resolvedFrom) {}
}
