package dev.wasmbind.operator.testing;

import com.dylibso.chicory.wasm.WasmWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Tiny wasm modules for operator tests: a valid WASI command (made distinct by a custom section, so
 * many bindings can have many digests) and the defects the validator must name.
 */
public final class TestModules {

    private TestModules() {}

    /** A valid command module exporting _start and memory; {@code id} changes its digest. */
    public static byte[] command(String id) {
        return module(null, id);
    }

    /** A command module that imports {@code module.name}, which the runtime does not provide. */
    public static byte[] importing(String module, String name) {
        return module(new String[] {module, name}, "imports");
    }

    /** The header of a WASI preview 2 component. */
    public static byte[] component() {
        return new byte[] {0x00, 0x61, 0x73, 0x6D, 0x0d, 0x00, 0x01, 0x00};
    }

    private static byte[] module(String[] anImport, String id) {
        WasmWriter writer = new WasmWriter();
        writer.writeSection(1, vector(1, new byte[] {0x60, 0x00, 0x00}));
        if (anImport != null) {
            var out = new ByteArrayOutputStream();
            name(out, anImport[0]);
            name(out, anImport[1]);
            out.write(0x00);
            out.write(0x00);
            writer.writeSection(2, vector(1, out.toByteArray()));
        }
        writer.writeSection(3, vector(1, new byte[] {0x00}));
        writer.writeSection(5, vector(1, new byte[] {0x00, 0x01}));
        var exports = new ByteArrayOutputStream();
        name(exports, "_start");
        exports.write(0x00);
        exports.write(anImport == null ? 0 : 1);
        name(exports, "memory");
        exports.write(0x02);
        exports.write(0x00);
        writer.writeSection(7, vector(2, exports.toByteArray()));
        writer.writeSection(10, vector(1, new byte[] {0x02, 0x00, 0x0b}));
        var custom = new ByteArrayOutputStream();
        name(custom, "wasmbind-test");
        custom.writeBytes(id.getBytes(StandardCharsets.UTF_8));
        writer.writeSection(0, custom.toByteArray());
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
