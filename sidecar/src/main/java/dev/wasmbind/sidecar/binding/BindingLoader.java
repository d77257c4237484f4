package dev.wasmbind.sidecar.binding;

import dev.wasmbind.api.v1alpha1.Limits;
import dev.wasmbind.api.v1alpha1.WasmBindingSpec;
import dev.wasmbind.module.source.FetchException;
import dev.wasmbind.module.source.FetchRequest;
import dev.wasmbind.module.source.FetchedModule;
import dev.wasmbind.module.source.ModuleFetcher;
import dev.wasmbind.module.validate.InvalidModuleException;
import dev.wasmbind.module.validate.ModuleValidator;
import dev.wasmbind.module.validate.ValidatedModule;
import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.ModuleCompiler;
import dev.wasmbind.sidecar.runtime.RunSettings;
import dev.wasmbind.sidecar.wasihttp.OutboundPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Semaphore;
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
     * A loader for modules whose bytes the caller provides ({@link #fromModule}); {@link #load}
     * answers a failed binding.
     */
    public static BindingLoader withoutSource(ModuleValidator validator, ModuleCompiler compiler) {
        return new BindingLoader(null, validator, compiler);
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

    /**
     * Builds a binding from module bytes already fetched and verified elsewhere (in-pod mode: the
     * module service, checked against the digest), compiling now (once per digest). Only the spec's
     * URL names the program (argv[0]); nothing is fetched.
     */
    public Binding fromModule(String name, WasmBindingSpec spec, FetchedModule module) {
        return build(name, spec, () -> module, true);
    }

    /** As {@link #fromModule}, on the interpreter (see {@link #loadInterpreted}). */
    public Binding fromModuleInterpreted(String name, WasmBindingSpec spec, FetchedModule module) {
        return build(name, spec, () -> module, false);
    }

    private Binding load(String name, WasmBindingSpec spec, boolean compileNow) {
        return build(
                name,
                spec,
                () -> {
                    if (fetcher == null) {
                        throw new FetchException(
                                FetchException.Reason.REFUSED,
                                "this loader has no module source: modules come verified from"
                                        + " elsewhere");
                    }
                    if (spec.getPullSecret() != null) {
                        LOG.warn(
                                "binding {}: spec.pullSecret is ignored in standalone mode (no"
                                        + " Secrets to read); fetching without credentials",
                                name);
                    }
                    return fetcher.fetch(
                            FetchRequest.of(URI.create(spec.getUrl()))
                                    .withExpectedSha256(spec.getSha256()));
                },
                compileNow);
    }

    /** Where the bytes of a module come from: a fetch, or bytes verified by the caller. */
    @FunctionalInterface
    private interface ModuleBytes {
        FetchedModule get() throws FetchException;
    }

    private Binding build(
            String name, WasmBindingSpec spec, ModuleBytes bytes, boolean compileNow) {
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
            URI uri = URI.create(url);
            FetchedModule fetched = bytes.get();
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
                            .withOutbound(
                                    new OutboundPolicy(
                                            name,
                                            spec.allowedHostsOrEmpty(),
                                            spec.strictSandboxEnabled(),
                                            timeout,
                                            maxResponseBytes))
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
