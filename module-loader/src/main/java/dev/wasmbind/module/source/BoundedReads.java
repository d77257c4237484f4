package dev.wasmbind.module.source;

import dev.wasmbind.module.source.FetchException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a stream but never more than a limit, so a huge source cannot fill the heap. */
final class BoundedReads {

    private BoundedReads() {}

    static byte[] readAtMost(InputStream in, long maxBytes, String what)
            throws IOException, FetchException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > maxBytes) {
                throw new FetchException(
                        Reason.TOO_LARGE,
                        what + " is larger than the limit of " + maxBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
