package dev.wasmbind.module.source;

import java.net.URI;

/**
 * Decides whether a host may be fetched from. Sources call it before connecting and again on every
 * redirect, so a redirect cannot lead a fetch somewhere the first URL could not go.
 */
@FunctionalInterface
public interface AddressGuard {

    /** Allows everything: standalone mode on a laptop, where the user is the only tenant. */
    AddressGuard ALLOW_ALL = url -> {};

    /** Throws {@link FetchException.Reason#BLOCKED_ADDRESS} when {@code url} may not be fetched. */
    void check(URI url) throws FetchException;
}
