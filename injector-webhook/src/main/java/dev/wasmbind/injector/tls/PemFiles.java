package dev.wasmbind.injector.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A cert/key pair on disk, e.g. a mounted Secret that cert-manager or a person rotates. */
public final class PemFiles implements KeyMaterialSource {

    private final Path certificate;
    private final Path key;

    public PemFiles(Path certificate, Path key) {
        this.certificate = certificate;
        this.key = key;
    }

    @Override
    public PemPair load() throws InvalidKeyMaterialException {
        return new PemPair(read(certificate), read(key));
    }

    @Override
    public String describe() {
        return "files " + certificate + " and " + key;
    }

    private static String read(Path path) throws InvalidKeyMaterialException {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidKeyMaterialException("cannot read " + path + ": " + e, e);
        }
    }
}
