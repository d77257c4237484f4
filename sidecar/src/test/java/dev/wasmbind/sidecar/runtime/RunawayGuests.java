package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.wasm.Parser;
import dev.wasmbind.module.source.Digests;
import dev.wasmbind.module.validate.ModuleValidator;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * Runaway WASI command modules assembled byte by byte (each the binary form of the WAT in its
 * comment), for the loops C compilers do not emit on demand. Each exports {@code _start} and {@code
 * memory} (one page, no maximum) and imports nothing.
 */
public final class RunawayGuests {

    private static final ModuleCompiler COMPILER = new ModuleCompiler();

    private RunawayGuests() {}

    /** {@code (func $_start (loop $l (br_if $l (i32.const 1))))} */
    public static byte[] brIfLoop() {
        return command(hex("03 40 41 01 0d 00 0b"));
    }

    /** {@code (func $_start (loop $l (br_table $l $l (i32.const 0))))} */
    public static byte[] brTableLoop() {
        return command(hex("03 40 41 00 0e 01 00 00 0b"));
    }

    /**
     * A {@code br_if} loop after {@code (drop (i32.const 100000))} repeated {@code fillers} times:
     * about 30,000 fillers make the function too large for one JVM method, so Chicory's compiler
     * leaves it to the interpreter.
     */
    public static byte[] hugeFunction(int fillers) {
        return hugeFunction(fillers, 1);
    }

    /** As {@link #hugeFunction(int)}, the loop's condition {@code condition}: 0 ends it at once. */
    public static byte[] hugeFunction(int fillers, int condition) {
        var body = new ByteArrayOutputStream();
        byte[] filler = hex("41 a0 8d 06 1a"); // i32.const 100000, drop
        for (int i = 0; i < fillers; i++) {
            body.writeBytes(filler);
        }
        body.writeBytes(hex("03 40 41"));
        body.write(condition); // i32.const 0 or 1 (one LEB128 byte)
        body.writeBytes(hex("0d 00 0b"));
        return command(body.toByteArray());
    }

    /** {@code bytes} validated and compiled once (the huge function falls back, see above). */
    public static CompiledModule compiled(byte[] bytes) {
        var validated = validate(bytes);
        return COMPILER.compile("sha256:" + Digests.sha256Hex(bytes), validated);
    }

    /** {@code bytes} validated and on the interpreter, as a binding runs while it compiles. */
    public static CompiledModule interpreted(byte[] bytes) {
        return ModuleCompiler.interpretNow("sha256:" + Digests.sha256Hex(bytes), validate(bytes));
    }

    private static com.dylibso.chicory.wasm.WasmModule validate(byte[] bytes) {
        try {
            return ModuleValidator.create().validate(bytes).module();
        } catch (Exception e) {
            // The validator must accept these; parse for a clearer error if it does not.
            Parser.parse(bytes);
            throw new IllegalStateException("test module rejected", e);
        }
    }

    /** A command module whose only function, {@code _start}, runs {@code code} then ends. */
    private static byte[] command(byte[] code) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(hex("00 61 73 6d 01 00 00 00"));
        section(out, 1, hex("01 60 00 00")); // one type: [] -> []
        section(out, 3, hex("01 00")); // one function of type 0
        section(out, 5, hex("01 00 01")); // one memory, 1 page, no maximum
        var exports = new ByteArrayOutputStream();
        exports.writeBytes(hex("02"));
        exports.writeBytes(name("_start"));
        exports.writeBytes(hex("00 00"));
        exports.writeBytes(name("memory"));
        exports.writeBytes(hex("02 00"));
        section(out, 7, exports.toByteArray());
        var body = new ByteArrayOutputStream();
        body.writeBytes(hex("00")); // no locals
        body.writeBytes(code);
        body.writeBytes(hex("0b"));
        var codeSection = new ByteArrayOutputStream();
        codeSection.writeBytes(hex("01"));
        codeSection.writeBytes(leb(body.size()));
        codeSection.writeBytes(body.toByteArray());
        section(out, 10, codeSection.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        out.writeBytes(leb(content.length));
        out.writeBytes(content);
    }

    private static byte[] name(String name) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(leb(name.length()));
        out.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] leb(int value) {
        var out = new ByteArrayOutputStream();
        do {
            int b = value & 0x7f;
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
        return out.toByteArray();
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }
}
