package dev.wasmbind.sidecar.runtime;

import static dev.wasmbind.sidecar.runtime.CompiledTestModules.compiled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** STDIN as a range of a larger array (a request body's own bytes), read by real guests. */
class StdinReaderTest {

    private static final GuestRunner RUNNER = new GuestRunner();

    private static String run(String module, byte[] stdin, int offset, int length)
            throws GuestFailure {
        byte[] out =
                RUNNER.run(
                        compiled(module),
                        RunSettings.builder(module).build(),
                        stdin,
                        offset,
                        length,
                        List.of());
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void shouldGiveTheGuestOnlyTheRangeOfTheArray() throws GuestFailure {
        byte[] body = "{\"data\":\"hello\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(run("cat", body, 9, 5)).isEqualTo("hello");
        assertThat(run("cat", body, 0, 0)).isEmpty();
    }

    @Test
    void shouldStreamALargeRangeAcrossManyReads() throws Exception {
        byte[] array = new byte[(3 << 20) + 17];
        new Random(11).nextBytes(array);
        int offset = 1000;
        int length = 2 << 20;
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(array, offset, length);

        assertThat(run("sha256", array, offset, length))
                .isEqualTo(HexFormat.of().formatHex(sha256.digest()) + "\n");
    }

    @Test
    void shouldRefuseARangeOutsideTheArray() {
        assertThatThrownBy(() -> new StdinReader(new byte[4], 2, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
