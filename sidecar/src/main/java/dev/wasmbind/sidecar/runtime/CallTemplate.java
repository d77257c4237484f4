package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.wasmbind.sidecar.wasihttp.WasiHttpSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What every call of one binding (a compiled module with its run settings) shares: the host
 * functions the module imports, built once, and a pool of reset instances (or, for modules whose
 * instances cannot be reused, of guest memories). Building Chicory's WASI functions for every call
 * was about 40% of a tiny call; these functions are thin: each finds the running call's state
 * ({@link GuestCall#current()}) and works on it, so no call sees another's descriptors, arguments,
 * streams, sandbox clocks or HTTP handles.
 *
 * <p>The WASI functions guests call on every run go straight to the call's {@link WasiPreview1}
 * ({@code fd_write} and {@code proc_exit} to the call itself, which needs no WASI for STDOUT and
 * STDERR); the others to Chicory's own host function for that call, built on the first such call.
 * {@code fd_read} is {@link StdinReader}; in strict sandbox the clocks, sleeps and random are
 * {@link StrictSandbox}'s; the wasi-http functions are {@link WasiHttpSession}'s.
 */
final class CallTemplate {

    private static final String WASI = "wasi_snapshot_preview1";

    private final CompiledModule compiled;
    private final RunSettings settings;
    private final MemoryLimits memoryLimits;
    private final ImportValues imports;
    private final MemoryPool memories;
    private final InstancePool instances;

    CallTemplate(CompiledModule compiled, RunSettings settings) {
        this.compiled = compiled;
        this.settings = settings;
        int initialPages = compiled.initialPages();
        this.memoryLimits =
                new MemoryLimits(
                        initialPages,
                        Math.max(
                                initialPages,
                                Math.min(
                                        settings.maxMemoryPages(),
                                        compiled.declaredMaximumPages())));
        this.memories = new MemoryPool(memoryLimits);
        this.instances = InstancePool.forModule(compiled, memoryLimits);
        this.imports = ImportValues.builder().withFunctions(hostFunctions()).build();
    }

    CompiledModule compiled() {
        return compiled;
    }

    RunSettings settings() {
        return settings;
    }

    /** The limits every call's memory gets: the module's initial pages, the binding's cap. */
    MemoryLimits memoryLimits() {
        return memoryLimits;
    }

    /** The host functions for the module's imports, the same for every call. */
    ImportValues imports() {
        return imports;
    }

    MemoryPool memories() {
        return memories;
    }

    /** The binding's reset instances, or null when its module's instances cannot be reused. */
    InstancePool instances() {
        return instances;
    }

    /**
     * One function per imported name, with the signature of the function it stands for (so that
     * Chicory refuses a mismatched import as it did when given that function itself).
     */
    private List<ImportFunction> hostFunctions() {
        Set<String> imported = compiled.importedFunctions();
        Map<String, Integer> wasiIndex = new HashMap<>();
        HostFunction[] wasiTemplate;
        try (var wasi = WasiPreview1.builder().withLogger(GuestCall.WASI_LOGGER).build()) {
            wasiTemplate = wasi.toHostFunctions();
        }
        for (int i = 0; i < wasiTemplate.length; i++) {
            wasiIndex.put(wasiTemplate[i].name(), i);
        }
        List<HostFunction> sandboxTemplate =
                settings.strictSandbox() ? new StrictSandbox(0).hostFunctions() : List.of();
        List<ImportFunction> outboundTemplate =
                WasiHttpSession.open(settings.outbound()).hostFunctions(imported);

        List<ImportFunction> functions = new ArrayList<>();
        Set<String> done = new HashSet<>();
        ImportSection section = compiled.module().importSection();
        for (int i = 0; i < section.importCount(); i++) {
            Import anImport = section.getImport(i);
            if (anImport.importType() != ExternalType.FUNCTION
                    || !done.add(anImport.module() + '\0' + anImport.name())) {
                continue;
            }
            String name = anImport.name();
            if (WASI.equals(anImport.module())) {
                if (name.equals(StdinReader.FUNCTION)) {
                    functions.add(
                            new HostFunction(
                                    WASI,
                                    name,
                                    StdinReader.TYPE,
                                    (instance, args) ->
                                            GuestCall.current().stdin().apply(instance, args)));
                } else if (StrictSandbox.REPLACED.contains(name) && settings.strictSandbox()) {
                    functions.add(perCall(sandboxTemplate, name, GuestCall::sandboxFunctions));
                } else if (wasiIndex.containsKey(name)) {
                    functions.add(wasi(wasiTemplate[wasiIndex.get(name)], wasiIndex.get(name)));
                }
            } else {
                addIfPresent(functions, outboundTemplate, anImport.module(), name);
            }
        }
        return functions;
    }

    /** The outbound (wasi-http) function for the import, when the session offers one. */
    private static void addIfPresent(
            List<ImportFunction> functions,
            List<ImportFunction> template,
            String module,
            String name) {
        for (int i = 0; i < template.size(); i++) {
            ImportFunction function = template.get(i);
            if (function.module().equals(module) && function.name().equals(name)) {
                functions.add(perCall(template, i, GuestCall::outboundFunctions));
                return;
            }
        }
    }

    /**
     * A function that calls the one named {@code name} in the list the running call gets from
     * {@code perCall} (lists in the template's order, made once per call).
     */
    private static ImportFunction perCall(
            List<? extends ImportFunction> template,
            String name,
            Function<GuestCall, List<? extends ImportFunction>> perCall) {
        for (int i = 0; i < template.size(); i++) {
            if (template.get(i).name().equals(name)) {
                return perCall(template, i, perCall);
            }
        }
        throw new IllegalStateException("no host function " + name);
    }

    private static ImportFunction perCall(
            List<? extends ImportFunction> template,
            int index,
            Function<GuestCall, List<? extends ImportFunction>> perCall) {
        ImportFunction function = template.get(index);
        return new HostFunction(
                function.module(),
                function.name(),
                function.functionType(),
                (instance, args) ->
                        perCall.apply(GuestCall.current())
                                .get(index)
                                .handle()
                                .apply(instance, args));
    }

    /**
     * A WASI function on the running call's {@link WasiPreview1}: directly for those guests call on
     * every run, through Chicory's own host function for the others.
     */
    private static ImportFunction wasi(HostFunction template, int index) {
        WasmFunctionHandle handle = direct(template.name());
        if (handle == null) {
            handle =
                    (instance, args) ->
                            GuestCall.current()
                                    .wasiFunctions()[index]
                                    .handle()
                                    .apply(instance, args);
        }
        return new HostFunction(WASI, template.name(), template.functionType(), handle);
    }

    private static WasmFunctionHandle direct(String name) {
        return switch (name) {
            case "fd_write" ->
                    (instance, a) ->
                            result(
                                    GuestCall.current()
                                            .fdWrite(
                                                    instance.memory(),
                                                    (int) a[0],
                                                    (int) a[1],
                                                    (int) a[2],
                                                    (int) a[3]));
            case "proc_exit" ->
                    (instance, a) -> {
                        GuestCall.current().procExit((int) a[0]);
                        return null;
                    };
            case "args_get" ->
                    (instance, a) ->
                            result(wasi().argsGet(instance.memory(), (int) a[0], (int) a[1]));
            case "args_sizes_get" ->
                    (instance, a) ->
                            result(wasi().argsSizesGet(instance.memory(), (int) a[0], (int) a[1]));
            case "environ_get" ->
                    (instance, a) ->
                            result(wasi().environGet(instance.memory(), (int) a[0], (int) a[1]));
            case "environ_sizes_get" ->
                    (instance, a) ->
                            result(
                                    wasi().environSizesGet(
                                                    instance.memory(), (int) a[0], (int) a[1]));
            case "fd_fdstat_get" ->
                    (instance, a) ->
                            result(wasi().fdFdstatGet(instance.memory(), (int) a[0], (int) a[1]));
            case "fd_prestat_get" ->
                    (instance, a) ->
                            result(wasi().fdPrestatGet(instance.memory(), (int) a[0], (int) a[1]));
            case "fd_prestat_dir_name" ->
                    (instance, a) ->
                            result(
                                    wasi().fdPrestatDirName(
                                                    instance.memory(),
                                                    (int) a[0],
                                                    (int) a[1],
                                                    (int) a[2]));
            case "clock_time_get" ->
                    (instance, a) ->
                            result(
                                    wasi().clockTimeGet(
                                                    instance.memory(),
                                                    (int) a[0],
                                                    a[1],
                                                    (int) a[2]));
            case "random_get" ->
                    (instance, a) ->
                            result(wasi().randomGet(instance.memory(), (int) a[0], (int) a[1]));
            default -> null;
        };
    }

    private static WasiPreview1 wasi() {
        return GuestCall.current().wasi();
    }

    private static long[] result(int errno) {
        return new long[] {errno};
    }
}
