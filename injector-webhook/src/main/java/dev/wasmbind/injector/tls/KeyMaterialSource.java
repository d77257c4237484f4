package dev.wasmbind.injector.tls;

/** Where the serving certificate comes from; asked again on every reload check. */
public interface KeyMaterialSource {

    /** The current pair; may be unchanged since the last call. */
    PemPair load() throws InvalidKeyMaterialException;

    /** For logs and /readyz: where the pair comes from. */
    String describe();
}
