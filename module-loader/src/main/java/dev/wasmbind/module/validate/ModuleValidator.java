package dev.wasmbind.module.validate;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import dev.wasmbind.module.validate.InvalidModuleException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The one module validator of the project (operator and sidecar both use it): a WASI preview 1
 * command module that exports {@code _start} and {@code memory}, imports only {@code
 * wasi_snapshot_preview1} functions the runtime provides (and the {@link HostModules} it offers),
 * and fits the size limit.
 */
public final class ModuleValidator {

    public static final String WASI_MODULE = "wasi_snapshot_preview1";
    public static final String ABI_WASIP1_COMMAND = "wasip1-command";
    public static final long DEFAULT_MAX_MODULE_BYTES = 64L * 1024 * 1024;

    /**
     * Most elements a table may start with, and grow to at run time: C, Rust and Go programs use a
     * few thousand at most; each costs the runtime about 12 bytes of heap.
     */
    public static final int MAX_TABLE_ELEMENTS = 100_000;

    private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6D};
    private static final Set<String> PROVIDED_WASI_FUNCTIONS = providedWasiFunctions();

    private final long maxModuleBytes;
    private final Map<String, Set<String>> hostModules;

    private ModuleValidator(Builder builder) {
        this.maxModuleBytes = builder.maxModuleBytes;
        this.hostModules = Map.copyOf(builder.hostModules);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A validator with the default size limit. */
    public static ModuleValidator create() {
        return builder().build();
    }

    public long maxModuleBytes() {
        return maxModuleBytes;
    }

    public ValidatedModule validate(byte[] bytes) throws InvalidModuleException {
        if (bytes.length > maxModuleBytes) {
            throw new InvalidModuleException(
                    Reason.TOO_LARGE,
                    "module is "
                            + bytes.length
                            + " bytes, more than the limit of "
                            + maxModuleBytes);
        }
        checkHeader(bytes);
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException e) {
            // Any parser failure (ChicoryException and others) on these bytes (e.g. a
            // BufferUnderflowException from a truncated
            // f64 constant, found by ModuleValidatorFuzzTest) means a malformed module.
            throw new InvalidModuleException(
                    Reason.MALFORMED, "not a valid WebAssembly module: " + e.getMessage(), e);
        }
        checkExports(module);
        checkImports(module, hostModules);
        checkTables(module);
        return new ValidatedModule(module, ABI_WASIP1_COMMAND, bytes.length);
    }

    private static void checkHeader(byte[] bytes) throws InvalidModuleException {
        if (bytes.length < 8 || !Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
            throw new InvalidModuleException(
                    Reason.NOT_WASM, "not a WebAssembly module (no \\0asm header)");
        }
        // Bytes 6-7 are the layer: 0 for a core module, 1 for a component.
        if (bytes[6] == 0x01 && bytes[7] == 0x00) {
            Set<String> imports = ComponentImports.of(bytes);
            throw new InvalidModuleException(
                    Reason.COMPONENT,
                    "the module is a WASI preview 2 component"
                            + (imports.isEmpty()
                                    ? ""
                                    : " (imports: " + String.join(", ", imports) + ")")
                            + ": WASI preview 2 components are not supported yet; wasmbind runs"
                            + " WASI preview 1 core modules: build for"
                            + " wasm32-wasip1 (TinyGo -target=wasip1, Rust --target"
                            + " wasm32-wasip1, GOOS=wasip1, wasi-sdk wasm32-wasi) until"
                            + " components are supported (see docs/sidecar.md, WASI preview 2"
                            + " components)");
        }
        if (bytes[4] != 0x01 || bytes[5] != 0x00 || bytes[6] != 0x00 || bytes[7] != 0x00) {
            throw new InvalidModuleException(
                    Reason.NOT_WASM,
                    "unsupported WebAssembly binary version "
                            + String.format(
                                    "%02x%02x%02x%02x", bytes[4], bytes[5], bytes[6], bytes[7]));
        }
    }

    private static void checkExports(WasmModule module) throws InvalidModuleException {
        boolean start = false;
        boolean memory = false;
        var exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            Export export = exports.getExport(i);
            start |= export.name().equals("_start") && export.exportType() == ExternalType.FUNCTION;
            memory |= export.name().equals("memory") && export.exportType() == ExternalType.MEMORY;
        }
        List<String> missing = new ArrayList<>();
        if (!start) {
            missing.add("function _start");
        }
        if (!memory) {
            missing.add("memory memory");
        }
        if (!missing.isEmpty()) {
            throw new InvalidModuleException(
                    Reason.MISSING_EXPORT,
                    "not a WASI command module: it does not export "
                            + String.join(" and ", missing)
                            + (start ? "" : " (a reactor or library module cannot be executed)"));
        }
    }

    /**
     * Tables live on the heap of the runtime (a few bytes per element) and, unlike memory, have no
     * per-binding limit: refuse a module that starts with more than {@link #MAX_TABLE_ELEMENTS}
     * elements (the runtime caps {@code table.grow} at the same number).
     */
    private static void checkTables(WasmModule module) throws InvalidModuleException {
        var tables = module.tableSection();
        for (int i = 0; i < tables.tableCount(); i++) {
            long initial = tables.getTable(i).limits().min();
            if (initial > MAX_TABLE_ELEMENTS) {
                throw new InvalidModuleException(
                        Reason.LIMIT_EXCEEDED,
                        "table "
                                + i
                                + " starts with "
                                + initial
                                + " elements, more than the "
                                + MAX_TABLE_ELEMENTS
                                + " allowed");
            }
        }
    }

    private static void checkImports(WasmModule module, Map<String, Set<String>> hostModules)
            throws InvalidModuleException {
        Set<String> unsupported = new TreeSet<>();
        module.importSection().stream()
                .filter(i -> isUnsupported(i, hostModules))
                .forEach(i -> unsupported.add(i.module() + "." + i.name()));
        if (!unsupported.isEmpty()) {
            throw new InvalidModuleException(
                    Reason.UNSUPPORTED_IMPORT,
                    "module imports what the runtime does not provide: "
                            + String.join(", ", unsupported)
                            + " (only "
                            + WASI_MODULE
                            + (hostModules.isEmpty()
                                    ? ""
                                    : " and "
                                            + String.join(
                                                    ", ", new TreeSet<>(hostModules.keySet())))
                            + " functions are available)");
        }
    }

    private static boolean isUnsupported(Import anImport, Map<String, Set<String>> hostModules) {
        if (anImport.importType() != ExternalType.FUNCTION) {
            return true;
        }
        if (anImport.module().equals(WASI_MODULE)) {
            return !PROVIDED_WASI_FUNCTIONS.contains(anImport.name());
        }
        Set<String> offered = hostModules.get(anImport.module());
        return offered == null || !offered.contains(anImport.name());
    }

    /** Asks Chicory which WASI functions it implements, so the list never drifts from it. */
    private static Set<String> providedWasiFunctions() {
        try (WasiPreview1 wasi = WasiPreview1.builder().build()) {
            return Arrays.stream(wasi.toHostFunctions())
                    .map(HostFunction::name)
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    public static final class Builder {
        private long maxModuleBytes = DEFAULT_MAX_MODULE_BYTES;
        private Map<String, Set<String>> hostModules = HostModules.WASI_HTTP_2023;

        private Builder() {}

        /**
         * The host modules the runtime offers besides WASI preview 1, by import module (default:
         * {@link HostModules#WASI_HTTP_2023}, which the sidecar implements; empty: WASI only).
         */
        public Builder withHostModules(Map<String, Set<String>> hostModules) {
            this.hostModules = hostModules;
            return this;
        }

        public Builder withMaxModuleBytes(long maxModuleBytes) {
            if (maxModuleBytes <= 0) {
                throw new IllegalArgumentException("maxModuleBytes must be positive");
            }
            this.maxModuleBytes = maxModuleBytes;
            return this;
        }

        public ModuleValidator build() {
            return new ModuleValidator(this);
        }
    }
}
