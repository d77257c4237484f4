package dev.wasmbind.operator.moduleservice;

/** A token could not be reviewed (not: the token is bad); callers answer 503 and retry. */
public final class TokenReviewException extends Exception {

    public TokenReviewException(String message, Throwable cause) {
        super(message, cause);
    }
}
