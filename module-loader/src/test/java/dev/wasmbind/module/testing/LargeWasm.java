package dev.wasmbind.module.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A large, valid WASI command module built byte by byte, shaped like a compiled C program: many
 * functions of ordinary integer and memory code, and a large active data segment.
 */
public final class LargeWasm {

    private LargeWasm() {}

    /**
     * @param functions how many functions besides {@code _start}
     * @param blocksPerFunction how many 27-byte blocks of loads, stores and arithmetic each has
     * @param dataBytes the size of the data segment
     */
    public static byte[] module(int functions, int blocksPerFunction, int dataBytes) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        // types: 0 = [] -> [], 1 = [i32 i32] -> [i32]
        section(out, 1, bytes(0x02, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f));
        var functionSection = new ByteArrayOutputStream();
        uleb(functionSection, functions + 1);
        functionSection.write(0x00);
        for (int i = 0; i < functions; i++) {
            functionSection.write(0x01);
        }
        section(out, 3, functionSection.toByteArray());
        int pages = dataBytes / 65536 + 2;
        var memory = new ByteArrayOutputStream();
        memory.write(0x01);
        memory.write(0x00);
        uleb(memory, pages);
        section(out, 5, memory.toByteArray());
        var exports = new ByteArrayOutputStream();
        exports.write(0x02);
        name(exports, "_start");
        exports.writeBytes(bytes(0x00, 0x00));
        name(exports, "memory");
        exports.writeBytes(bytes(0x02, 0x00));
        section(out, 7, exports.toByteArray());
        var code = new ByteArrayOutputStream();
        uleb(code, functions + 1);
        byte[] start = bytes(0x00, 0x0b);
        uleb(code, start.length);
        code.writeBytes(start);
        byte[] body = body(blocksPerFunction);
        for (int i = 0; i < functions; i++) {
            uleb(code, body.length);
            code.writeBytes(body);
        }
        section(out, 10, code.toByteArray());
        var data = new ByteArrayOutputStream();
        data.write(0x01);
        data.writeBytes(bytes(0x00, 0x41, 0x80, 0x08, 0x0b)); // active, memory 0, offset 1024
        uleb(data, dataBytes);
        byte[] content = new byte[dataBytes];
        for (int i = 0; i < dataBytes; i++) {
            content[i] = (byte) (i * 31 + (i >>> 9));
        }
        data.writeBytes(content);
        section(out, 11, data.toByteArray());
        return out.toByteArray();
    }

    /** (i32, i32) -> i32 with one i32 local: blocks of loads, stores, arithmetic and a branch. */
    private static byte[] body(int blocks) {
        var body = new ByteArrayOutputStream();
        body.writeBytes(bytes(0x01, 0x01, 0x7f)); // one local i32
        byte[] block =
                bytes(
                        0x20, 0x00, // local.get 0
                        0x20, 0x01, // local.get 1
                        0x6a, // i32.add
                        0x21, 0x02, // local.set 2
                        0x20, 0x02, // local.get 2
                        0x28, 0x02, 0x08, // i32.load align=2 offset=8
                        0x41, 0xd2, 0x09, // i32.const 1234
                        0x6c, // i32.mul
                        0x22, 0x00, // local.tee 0
                        0x04, 0x40, // if
                        0x20, 0x02, // local.get 2
                        0x20, 0x00, // local.get 0
                        0x36, 0x02, 0x10, // i32.store align=2 offset=16
                        0x0b); // end
        body.write(0x02); // block, pads to 27 bytes with its end below
        body.write(0x40);
        for (int i = 0; i < blocks; i++) {
            body.writeBytes(block);
        }
        body.write(0x0b);
        body.writeBytes(bytes(0x20, 0x00, 0x0b)); // local.get 0, end
        return body.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        uleb(out, content.length);
        out.writeBytes(content);
    }

    private static void name(ByteArrayOutputStream out, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        uleb(out, utf8.length);
        out.writeBytes(utf8);
    }

    private static void uleb(ByteArrayOutputStream out, long value) {
        do {
            int b = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
    }

    private static byte[] bytes(int... values) {
        byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (byte) values[i];
        }
        return result;
    }
}
