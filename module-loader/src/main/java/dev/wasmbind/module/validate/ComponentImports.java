package dev.wasmbind.module.validate;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads the top-level import names of a WebAssembly component (such as {@code
 * wasi:http/outgoing-handler@0.2.0}), enough to tell its author what it needs. Only the import
 * sections are decoded; anything unexpected ends the scan with what was found so far.
 */
final class ComponentImports {

    private static final int IMPORT_SECTION = 10;

    private ComponentImports() {}

    static Set<String> of(byte[] bytes) {
        Set<String> names = new LinkedHashSet<>();
        Reader in = new Reader(bytes, 8);
        try {
            while (in.position < bytes.length) {
                int id = in.u8();
                long size = in.leb();
                if (size < 0 || size > bytes.length - in.position) {
                    // Past the end, or negative (a 10-byte LEB128 overflows the long); as an
                    // int such a size sent the scan backwards forever (found by
                    // ModuleValidatorFuzzTest, both inputs kept as regression inputs).
                    break;
                }
                int end = in.position + (int) size;
                if (id == IMPORT_SECTION) {
                    long count = in.leb();
                    for (long i = 0; i < count && in.position < end; i++) {
                        in.u8(); // 0x00 plain name, 0x01 name with a version suffix
                        names.add(in.string());
                        skipExternDesc(in);
                    }
                }
                in.position = end;
            }
        } catch (RuntimeException e) {
            // a truncated or newer encoding: keep the names read so far
        }
        return names;
    }

    private static void skipExternDesc(Reader in) {
        int sort = in.u8();
        switch (sort) {
            case 0x00 -> { // core module: 0x11 typeidx
                in.u8();
                in.leb();
            }
            case 0x02, 0x03 -> { // value bound / type bound: tag + index
                in.u8();
                in.leb();
            }
            default -> in.leb(); // func, component, instance: typeidx
        }
    }

    private static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes, int position) {
            this.bytes = bytes;
            this.position = position;
        }

        int u8() {
            return bytes[position++] & 0xff;
        }

        long leb() {
            long result = 0;
            int shift = 0;
            int b;
            do {
                b = u8();
                result |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0 && shift < 64);
            return result;
        }

        String string() {
            int length = (int) leb();
            String s = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return s;
        }
    }
}
