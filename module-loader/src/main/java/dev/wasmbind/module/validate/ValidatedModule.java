package dev.wasmbind.module.validate;

import com.dylibso.chicory.wasm.WasmModule;

/**
 * A parsed module that passed validation.
 *
 * @param module the parsed module, ready to compile
 * @param abi the ABI it follows, e.g. {@value ModuleValidator#ABI_WASIP1_COMMAND}
 * @param size the module's size in bytes
 */
public record ValidatedModule(WasmModule module, String abi, long size) {}
