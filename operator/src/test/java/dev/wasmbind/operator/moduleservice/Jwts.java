package dev.wasmbind.operator.moduleservice;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** Unsigned JWT-shaped tokens for tests: the service reads only the exp claim. */
public final class Jwts {

    private Jwts() {}

    public static String expiringAt(Instant exp, String subject) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        String claims =
                url.encodeToString(
                        ("{\"sub\":\""
                                        + subject
                                        + "\",\"aud\":[\"wasmbind\"],\"exp\":"
                                        + exp.getEpochSecond()
                                        + "}")
                                .getBytes(StandardCharsets.UTF_8));
        return header + "." + claims + ".c2ln";
    }
}
