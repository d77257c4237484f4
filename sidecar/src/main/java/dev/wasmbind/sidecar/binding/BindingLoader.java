package dev.wasmbind.sidecar.binding;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import dev.wasmbind.sidecar.runtime.RunSettings;
import dev.wasmbind.sidecar.source.AddressGuard;
import dev.wasmbind.sidecar.source.FetchException;
import dev.wasmbind.sidecar.source.FetchRequest;
import dev.wasmbind.sidecar.source.FetchedModule;
import dev.wasmbind.sidecar.source.FileSource;
import dev.wasmbind.sidecar.source.HttpSource;
import dev.wasmbind.sidecar.source.ModuleFetcher;
import dev.wasmbind.sidecar.source.ModuleSource;
import dev.wasmbind.sidecar.source.OciSource;
import dev.wasmbind.sidecar.validate.InvalidModuleException;
import dev.wasmbind.sidecar.validate.ModuleValidator;
import dev.wasmbind.sidecar.validate.ValidatedModule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a WasmBinding (its name and spec) into a {@link Binding}: fetch, validate, compile (once
 * per digest), limits. Never throws: whatever goes wrong becomes a {@link Binding.Failed} with the
 * reason.
 */
public final class BindingLoader {

    private static final Logger LOG = LoggerFactory.getLogger(BindingLoader.class);

    private final ModuleFetcher fetcher;
    private final ModuleValidator validator;
    private final ModuleCompiler compiler;

    public BindingLoader(
            ModuleFetcher fetcher, ModuleValidator validator, ModuleCompiler compiler) {
        this.fetcher = fetcher;
        this.validator = validator;
        this.compiler = compiler;
    }

    /**
     * The module sources of a standalone sidecar, in one place: relative {@code file://} URLs
     * resolve against {@code baseDir}; every fetch is allowed (the user is the only tenant);
     * registries on loopback speak plain HTTP.
     */
    public static ModuleFetcher standaloneFetcher(Path baseDir) {
        ModuleSource http =
                new LazySource(
                        () -> HttpSource.builder().withGuard(AddressGuard.ALLOW_ALL).build());
        return ModuleFetcher.builder()
                .withSource("file", new FileSource(baseDir))
                .withSource("http", http)
                .withSource("https", http)
                .withSource(
                        "oci",
                        new LazySource(
                                () ->
                                        OciSource.builder()
                                                .withGuard(AddressGuard.ALLOW_ALL)
                                                .withPlainHttpForLoopback()
                                                .build()))
                .build();
    }

    /**
     * A source built on its first fetch: the HTTP and OCI clients set up TLS when built, hundreds
     * of classes and a tenth of a second at start-up that bindings read from files never need.
     */
    private static final class LazySource implements ModuleSource {
        private final Supplier<ModuleSource> factory;
        private ModuleSource source;

        LazySource(Supplier<ModuleSource> factory) {
            this.factory = factory;
        }

        @Override
        public Fetched fetch(FetchRequest request, long maxBytes) throws FetchException {
            return source().fetch(request, maxBytes);
        }

        private synchronized ModuleSource source() {
            if (source == null) {
                source = factory.get();
            }
            return source;
        }
    }

    /** Loads a binding, compiling its module (once per digest) before returning. */
    public Binding load(String name, WasmBindingSpec spec) {
        return load(name, spec, true);
    }

    /**
     * Loads a binding on the interpreter, for a fast start: the caller compiles it later with
     * {@link ModuleCompiler#compileLater} and swaps it in with {@link Binding.Ready#withModule}.
     */
    public Binding loadInterpreted(String name, WasmBindingSpec spec) {
        return load(name, spec, false);
    }

    private Binding load(String name, WasmBindingSpec spec, boolean compileNow) {
        if (name == null || name.isBlank()) {
            return new Binding.Failed(
                    "", spec == null ? "" : spec.getUrl(), "metadata.name is missing");
        }
        if (spec == null || spec.getUrl() == null || spec.getUrl().isBlank()) {
            return new Binding.Failed(name, "", "spec.url is missing");
        }
        String url = spec.getUrl();
        try {
            Limits limits = spec.limitsOrDefaults();
            Duration timeout = limits.timeoutOrDefault();
            int maxMemoryPages = limits.maxMemoryPages();
            long maxRequestBytes = limits.maxRequestBytesOrDefault();
            long maxResponseBytes = limits.maxResponseBytesOrDefault();
            int maxConcurrency = limits.maxConcurrencyOrDefault();
            if (spec.getPullSecret() != null) {
                LOG.warn(
                        "binding {}: spec.pullSecret is ignored in standalone mode (no Secrets to"
                                + " read); fetching without credentials",
                        name);
            }
            URI uri = URI.create(url);
            FetchedModule fetched =
                    fetcher.fetch(FetchRequest.of(uri).withExpectedSha256(spec.getSha256()));
            ValidatedModule validated = validator.validate(fetched.bytes());
            CompiledModule compiled =
                    compileNow
                            ? compiler.compile(fetched.digest(), validated.module())
                            : ModuleCompiler.interpretNow(fetched.digest(), validated.module());
            if (compiled.initialPages() > maxMemoryPages) {
                throw new IllegalArgumentException(
                        "module needs "
                                + compiled.initialPages()
                                + " pages (64Ki each) of memory to start, more than"
                                + " limits.maxMemory allows ("
                                + maxMemoryPages
                                + " pages)");
            }
            RunSettings settings =
                    RunSettings.builder(programName(uri))
                            .withDefaultArgs(spec.getArgs())
                            .withEnv(spec.getEnv())
                            .withStrictSandbox(spec.strictSandboxEnabled())
                            .withMaxMemoryPages(maxMemoryPages)
                            .withMaxResponseBytes(maxResponseBytes)
                            .build();
            LOG.info(
                    "binding {} ready: {} from {}", name, fetched.digest(), fetched.resolvedFrom());
            return new Binding.Ready(
                    name,
                    url,
                    compiled,
                    settings,
                    timeout,
                    maxRequestBytes,
                    maxConcurrency,
                    spec.rawDataEnabled(),
                    new Semaphore(maxConcurrency));
        } catch (FetchException | InvalidModuleException e) {
            return failed(name, url, e.getMessage());
        } catch (IllegalArgumentException e) {
            return failed(name, url, "invalid spec: " + e.getMessage());
        } catch (RuntimeException e) {
            // Compilation problems of an otherwise valid module land here.
            return failed(name, url, "cannot load module: " + e);
        }
    }

    private static Binding failed(String name, String url, String reason) {
        LOG.error("binding {} failed to load: {}", name, reason);
        return new Binding.Failed(name, url, reason);
    }

    /** argv[0] as Dapr sets it: the module's file name without {@code .wasm}. */
    static String programName(URI url) {
        String path = url.getPath() != null ? url.getPath() : url.getSchemeSpecificPart();
        if ("oci".equalsIgnoreCase(url.getScheme())) {
            path = url.getSchemeSpecificPart().replaceFirst("[@:][^/]*$", "");
        }
        String file = path.substring(path.lastIndexOf('/') + 1);
        if (file.isEmpty() && url.getHost() != null) {
            file = url.getHost();
        }
        return file.endsWith(".wasm") ? file.substring(0, file.length() - 5) : file;
    }
}
