package dev.wasmbind.module.testing;

import com.dylibso.chicory.wasm.WasmWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds tiny modules byte by byte for validator tests, where a compiled C program cannot express
 * the defect (a missing export, a foreign import). Every function is of type () -> ().
 */
public final class TestWasm {

    private final List<String[]> imports = new ArrayList<>();
    private boolean exportStart;
    private boolean exportMemory;
    private String customSection;
    private int tableElements = -1;

    private TestWasm() {}

    public static TestWasm module() {
        return new TestWasm();
    }

    /** A WASI command module with nothing in it: exports _start and memory. */
    public static byte[] emptyCommand() {
        return module().exportStart().exportMemory().bytes();
    }

    public TestWasm importFunction(String module, String name) {
        imports.add(new String[] {module, name});
        return this;
    }

    /** The header of a WASI preview 2 component: the validator must refuse it by name. */
    public static byte[] component() {
        return new byte[] {0x00, 0x61, 0x73, 0x6D, 0x0d, 0x00, 0x01, 0x00};
    }

    /** Adds a custom section holding {@code id}, so otherwise equal modules differ in digest. */
    public TestWasm withId(String id) {
        customSection = id;
        return this;
    }

    /** Adds a funcref table of {@code elements} elements and no maximum. */
    public TestWasm withTable(int elements) {
        tableElements = elements;
        return this;
    }

    public TestWasm exportStart() {
        exportStart = true;
        return this;
    }

    public TestWasm exportMemory() {
        exportMemory = true;
        return this;
    }

    public byte[] bytes() {
        WasmWriter writer = new WasmWriter();
        writer.writeSection(1, vector(1, new byte[] {0x60, 0x00, 0x00}));
        if (!imports.isEmpty()) {
            var out = new ByteArrayOutputStream();
            for (String[] anImport : imports) {
                name(out, anImport[0]);
                name(out, anImport[1]);
                out.write(0x00);
                out.write(0x00);
            }
            writer.writeSection(2, vector(imports.size(), out.toByteArray()));
        }
        writer.writeSection(3, vector(1, new byte[] {0x00}));
        if (tableElements >= 0) {
            var table = new ByteArrayOutputStream();
            table.write(0x70); // funcref
            table.write(0x00); // no maximum
            WasmWriter.writeVarUInt32(table, tableElements);
            writer.writeSection(4, vector(1, table.toByteArray()));
        }
        writer.writeSection(5, vector(1, new byte[] {0x00, 0x01}));
        var exports = new ByteArrayOutputStream();
        int exportCount = 0;
        if (exportStart) {
            name(exports, "_start");
            exports.write(0x00);
            exports.write(imports.size()); // the first defined function comes after imports
            exportCount++;
        }
        if (exportMemory) {
            name(exports, "memory");
            exports.write(0x02);
            exports.write(0x00);
            exportCount++;
        }
        writer.writeSection(7, vector(exportCount, exports.toByteArray()));
        writer.writeSection(10, vector(1, new byte[] {0x02, 0x00, 0x0b}));
        if (customSection != null) {
            var custom = new ByteArrayOutputStream();
            name(custom, "wasmbind-test");
            custom.writeBytes(customSection.getBytes(StandardCharsets.UTF_8));
            writer.writeSection(0, custom.toByteArray());
        }
        return writer.bytes();
    }

    private static byte[] vector(int count, byte[] contents) {
        var out = new ByteArrayOutputStream();
        WasmWriter.writeVarUInt32(out, count);
        out.writeBytes(contents);
        return out.toByteArray();
    }

    private static void name(ByteArrayOutputStream out, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        WasmWriter.writeVarUInt32(out, bytes.length);
        out.writeBytes(bytes);
    }
}
