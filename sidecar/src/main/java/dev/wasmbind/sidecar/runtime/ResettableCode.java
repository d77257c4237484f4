package dev.wasmbind.sidecar.runtime;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.Global;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * Whether a module's code leaves no state in its instance that Chicory's {@code
 * Instance.initialize} would not restore. {@code initialize} zeroes the memory and writes the data
 * segments again, makes new globals from their initialisers, writes the active element segments
 * into the tables and runs the start function; it does not undo a changed table slot or size, a
 * dropped data or element segment (Chicory drops them in the instance's own arrays), an exception
 * or a GC object the instance keeps. A module whose code has none of the instructions that make
 * those can have one instance reset and reused call after call ({@link InstancePool}); any other
 * gets a new instance per call.
 */
final class ResettableCode {

    /** Instructions that change an instance outside its memory and globals. */
    private static final Set<OpCode> MUTATES_INSTANCE =
            EnumSet.of(
                    OpCode.TABLE_SET,
                    OpCode.TABLE_GROW,
                    OpCode.TABLE_FILL,
                    OpCode.TABLE_COPY,
                    OpCode.TABLE_INIT,
                    OpCode.ELEM_DROP,
                    OpCode.DATA_DROP,
                    OpCode.THROW,
                    OpCode.THROW_REF,
                    OpCode.TRY_TABLE,
                    OpCode.REF_I31,
                    OpCode.ANY_CONVERT_EXTERN,
                    OpCode.EXTERN_CONVERT_ANY);

    private ResettableCode() {}

    /**
     * Why instances of {@code module} cannot be reset and reused, or null when they can: the first
     * instruction found that changes an instance outside its memory and globals.
     */
    static String obstacle(WasmModule module) {
        int imported = module.importSection().count(ExternalType.FUNCTION);
        FunctionBody[] bodies = module.codeSection().functionBodies();
        for (int f = 0; f < bodies.length; f++) {
            for (Instruction instruction : bodies[f].instructions()) {
                if (mutatesInstance(instruction.opcode())) {
                    return instruction.opcode() + " in function " + (imported + f);
                }
            }
        }
        Global[] globals = module.globalSection().globals();
        for (int g = 0; g < globals.length; g++) {
            for (Instruction instruction : globals[g].initInstructions()) {
                if (mutatesInstance(instruction.opcode())) {
                    return instruction.opcode() + " in the initialiser of global " + g;
                }
            }
        }
        return null;
    }

    private static boolean mutatesInstance(OpCode opcode) {
        String name = opcode.name();
        // Struct and array instructions keep GC objects in the instance.
        return MUTATES_INSTANCE.contains(opcode)
                || name.startsWith("STRUCT_")
                || name.startsWith("ARRAY_");
    }
}
