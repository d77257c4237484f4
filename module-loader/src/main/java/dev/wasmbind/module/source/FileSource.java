package dev.wasmbind.module.source;

import dev.wasmbind.module.source.FetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code file://} URLs. {@code file:///abs/path.wasm} is absolute; {@code file://rel/path.wasm}
 * (Dapr's relative form) is resolved against a base folder, the YAML file's folder in standalone
 * mode.
 */
public final class FileSource implements ModuleSource {

    private final Path baseDir;

    public FileSource(Path baseDir) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    /** The local path a {@code file:} URL names, relative ones resolved against {@code base}. */
    public static Path pathOf(URI url, Path base) {
        String path = url.getRawSchemeSpecificPart();
        if (path.startsWith("///")) {
            return Path.of(URI.create("file://" + path.substring(2)));
        }
        String relative = path.startsWith("//") ? path.substring(2) : path;
        return base.resolve(
                        java.net.URLDecoder.decode(
                                relative, java.nio.charset.StandardCharsets.UTF_8))
                .normalize();
    }

    @Override
    public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
        Path path = pathOf(request.url(), baseDir);
        try (InputStream in = Files.newInputStream(path)) {
            return new Fetched(
                    BoundedReads.readAtMost(in, maxBytes, path.toString()), path.toString());
        } catch (NoSuchFileException e) {
            throw new FetchException(Reason.NOT_FOUND, "file " + path + " does not exist");
        } catch (IOException e) {
            throw new FetchException(
                    Reason.IO_ERROR, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
