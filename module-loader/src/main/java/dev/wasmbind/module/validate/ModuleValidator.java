package dev.wasmbind.module.validate;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.MalformedException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionSection;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.Section;
import com.dylibso.chicory.wasm.types.SectionId;
import com.dylibso.chicory.wasm.types.TableSection;
import dev.wasmbind.module.validate.InvalidModuleException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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

    /**
     * Heap Chicory's parser keeps per byte of code: measured 39 on a 32 MB module of 22 MB code
     * (docs/decisions.md), rounded up.
     */
    public static final int DECODED_BYTES_PER_CODE_BYTE = 40;

    private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6D};

    /**
     * Decodes what the structural check needs; code, data and custom sections are skipped. One per
     * check: a parser keeps the type section it read in a field.
     */
    private static Parser structureParser() {
        return Parser.builder()
                .includeSectionId(SectionId.TYPE)
                .includeSectionId(SectionId.IMPORT)
                .includeSectionId(SectionId.FUNCTION)
                .includeSectionId(SectionId.TABLE)
                .includeSectionId(SectionId.MEMORY)
                .includeSectionId(SectionId.GLOBAL)
                .includeSectionId(SectionId.EXPORT)
                .includeSectionId(SectionId.START)
                .includeSectionId(SectionId.ELEMENT)
                .includeSectionId(SectionId.DATA_COUNT)
                .includeSectionId(SectionId.TAG)
                .build();
    }

    private static final Set<String> PROVIDED_WASI_FUNCTIONS = providedWasiFunctions();

    private final long maxModuleBytes;
    private final long maxDecodedBytes;
    private final Map<String, Set<String>> hostModules;

    private ModuleValidator(Builder builder) {
        this.maxModuleBytes = builder.maxModuleBytes;
        this.maxDecodedBytes = builder.maxDecodedBytes;
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

    /**
     * The structural check, in about the module's size of heap: header, section order and framing,
     * exports, imports and tables, with the code and data sections framed but not decoded (Chicory
     * decodes every instruction into objects: about {@value #DECODED_BYTES_PER_CODE_BYTE} bytes of
     * heap per byte of code, and more than a hundred allocated along the way). What the operator
     * runs on every tenant's module; function bodies are decoded and type-checked by {@link
     * #validate} where the module runs.
     */
    public CheckedModule check(byte[] bytes) throws InvalidModuleException {
        if (bytes.length > maxModuleBytes) {
            throw new InvalidModuleException(
                    Reason.TOO_LARGE,
                    "module is "
                            + bytes.length
                            + " bytes, more than the limit of "
                            + maxModuleBytes);
        }
        checkHeader(bytes);
        var sections = new Sections();
        Frame frame;
        try {
            frame = frame(bytes);
            structureParser().parse(new ByteArrayInputStream(frame.structure()), sections::add);
            if (frame.bodies() != sections.functionCount) {
                throw new MalformedException(
                        "function and code section have inconsistent lengths ("
                                + sections.functionCount
                                + " functions, "
                                + frame.bodies()
                                + " bodies)");
            }
        } catch (RuntimeException | AssertionError e) {
            // Any parser failure (ChicoryException and others) on these bytes (e.g. a
            // BufferUnderflowException from a truncated f64 constant, found by
            // ModuleValidatorFuzzTest) means a malformed module. So does an AssertionError:
            // Chicory checks some bytes with `assert` (a table's 0x40 0x00 prefix, also found by
            // the fuzz test), which throws where assertions are on (-ea, as in tests).
            throw malformed(e);
        }
        checkExports(sections.exports);
        checkImports(sections.imports, hostModules);
        checkTables(sections.tables);
        return new CheckedModule(ABI_WASIP1_COMMAND, bytes.length, frame.codeBytes());
    }

    /**
     * {@link #check}, then the whole module decoded and validated by Chicory, ready to compile. A
     * module whose decoding would take more heap than {@code maxDecodedBytes} (by default half of
     * {@code -Xmx}) is refused as {@link Reason#TOO_LARGE} before it is decoded.
     */
    public ValidatedModule validate(byte[] bytes) throws InvalidModuleException {
        CheckedModule checked = check(bytes);
        long needed = decodedBytes(checked);
        if (needed > maxDecodedBytes) {
            throw new InvalidModuleException(
                    Reason.TOO_LARGE,
                    "decoding this module's "
                            + mib(checked.codeBytes())
                            + " MiB of code takes about "
                            + mib(needed)
                            + " MiB of heap, more than the "
                            + mib(maxDecodedBytes)
                            + " MiB allowed here (half of -Xmx); give the JVM more heap");
        }
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException | AssertionError e) {
            throw malformed(e);
        }
        return new ValidatedModule(module, checked.abi(), bytes.length);
    }

    /** About what {@link Parser#parse} keeps of a module: its decoded code, its data. */
    static long decodedBytes(CheckedModule checked) {
        long code = checked.codeBytes();
        return code * DECODED_BYTES_PER_CODE_BYTE + (checked.size() - code);
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    private static InvalidModuleException malformed(Throwable e) {
        return new InvalidModuleException(
                Reason.MALFORMED,
                "not a valid WebAssembly module: "
                        + (e.getMessage() == null ? "malformed bytes" : e.getMessage()),
                e);
    }

    /** The sections {@link #check} decodes; absent ones are empty. */
    private static final class Sections {
        ImportSection imports = ImportSection.builder().build();
        ExportSection exports = ExportSection.builder().build();
        TableSection tables = TableSection.builder().build();
        int functionCount;

        void add(Section section) {
            if (section instanceof ImportSection s) {
                imports = s;
            } else if (section instanceof ExportSection s) {
                exports = s;
            } else if (section instanceof TableSection s) {
                tables = s;
            } else if (section instanceof FunctionSection s) {
                functionCount = s.functionCount();
            }
        }
    }

    /**
     * The module's sections as {@link #frame} found them.
     *
     * @param structure the header and the sections {@link #check} decodes, in their order
     * @param codeBytes the size of the code section
     * @param bodies how many function bodies the code section frames
     */
    record Frame(byte[] structure, long codeBytes, long bodies) {}

    /** Where each known section may stand (the binary format's order; tags after memories). */
    private static final int[] SECTION_RANK = rankSections();

    private static int[] rankSections() {
        int[] order = {
            SectionId.TYPE,
            SectionId.IMPORT,
            SectionId.FUNCTION,
            SectionId.TABLE,
            SectionId.MEMORY,
            SectionId.TAG,
            SectionId.GLOBAL,
            SectionId.EXPORT,
            SectionId.START,
            SectionId.ELEMENT,
            SectionId.DATA_COUNT,
            SectionId.CODE,
            SectionId.DATA
        };
        int[] rank = new int[SectionId.TAG + 1];
        for (int i = 0; i < order.length; i++) {
            rank[order[i]] = i + 1;
        }
        return rank;
    }

    /**
     * Walks the sections without copying or decoding the large ones: checks their ids, order and
     * sizes, frames the code section's bodies (each within the section, the last ending where it
     * ends), and copies out the small sections {@link #check} decodes. Code, data and custom
     * sections are skipped.
     */
    static Frame frame(byte[] bytes) {
        var in = ByteBuffer.wrap(bytes);
        in.position(8);
        var structure = new ByteArrayOutputStream();
        structure.write(bytes, 0, 8);
        long codeBytes = 0;
        long bodies = 0;
        int lastRank = 0;
        while (in.hasRemaining()) {
            int start = in.position();
            int id = in.get() & 0xff;
            long size = uleb(in);
            if (size > in.remaining()) {
                throw new MalformedException("length out of bounds for section " + id);
            }
            int end = in.position() + (int) size;
            if (id != SectionId.CUSTOM) {
                int rank = id < SECTION_RANK.length ? SECTION_RANK[id] : 0;
                if (rank == 0) {
                    throw new MalformedException("malformed section id " + id);
                }
                if (rank <= lastRank) {
                    throw new MalformedException("unexpected content after last section " + id);
                }
                lastRank = rank;
            }
            if (id == SectionId.CODE) {
                codeBytes = size;
                bodies = uleb(in);
                for (long i = 0; i < bodies; i++) {
                    long bodySize = uleb(in);
                    if (bodySize > end - in.position()) {
                        throw new MalformedException(
                                "function body " + i + " runs past its section");
                    }
                    in.position(in.position() + (int) bodySize);
                }
                if (in.position() != end) {
                    throw new MalformedException("section size mismatch in the code section");
                }
            } else if (id != SectionId.DATA && id != SectionId.CUSTOM) {
                structure.write(bytes, start, end - start);
            }
            in.position(end);
        }
        return new Frame(structure.toByteArray(), codeBytes, bodies);
    }

    /** An unsigned LEB128 of at most 32 bits. */
    private static long uleb(ByteBuffer in) {
        long result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.hasRemaining()) {
                throw new MalformedException("unexpected end");
            }
            int b = in.get() & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (result > 0xffff_ffffL) {
                    throw new MalformedException("integer too large");
                }
                return result;
            }
        }
        throw new MalformedException("integer representation too long");
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

    private static void checkExports(ExportSection exports) throws InvalidModuleException {
        boolean start = false;
        boolean memory = false;
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
    private static void checkTables(TableSection tables) throws InvalidModuleException {
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

    private static void checkImports(ImportSection imports, Map<String, Set<String>> hostModules)
            throws InvalidModuleException {
        Set<String> unsupported = new TreeSet<>();
        imports.stream()
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
        private long maxDecodedBytes = Runtime.getRuntime().maxMemory() / 2;
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

        /**
         * The most heap {@link #validate} may let Chicory's parser take for one module, estimated
         * from its code size before decoding (default: half of {@code -Xmx}).
         */
        public Builder withMaxDecodedBytes(long maxDecodedBytes) {
            if (maxDecodedBytes <= 0) {
                throw new IllegalArgumentException("maxDecodedBytes must be positive");
            }
            this.maxDecodedBytes = maxDecodedBytes;
            return this;
        }

        public ModuleValidator build() {
            return new ModuleValidator(this);
        }
    }
}
