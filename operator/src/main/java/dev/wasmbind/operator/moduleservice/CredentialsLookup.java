package dev.wasmbind.operator.moduleservice;

import dev.wasmbind.module.source.Credentials;
import dev.wasmbind.module.source.FetchException;

/**
 * Reads a binding's {@code spec.pullSecret}; the operator passes {@code new
 * PullSecrets(client)::read}.
 */
@FunctionalInterface
public interface CredentialsLookup {

    /** No pull secrets: bindings that name one cannot be fetched by a follower. */
    CredentialsLookup NONE =
            (namespace, name) -> {
                throw new FetchException(
                        FetchException.Reason.AUTH_FAILED,
                        "this replica cannot read pull secrets (spec.pullSecret " + name + ")");
            };

    Credentials read(String namespace, String secretName) throws FetchException;
}
