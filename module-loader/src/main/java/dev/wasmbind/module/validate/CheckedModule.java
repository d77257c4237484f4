package dev.wasmbind.module.validate;

/**
 * A module that passed {@link ModuleValidator#check}: its structure, exports, imports and tables
 * are fine; its function bodies were framed but not decoded.
 *
 * @param abi the ABI it follows, e.g. {@value ModuleValidator#ABI_WASIP1_COMMAND}
 * @param size the module's size in bytes
 * @param codeBytes the size of its code section (what decoding costs heap for)
 */
public record CheckedModule(String abi, long size, long codeBytes) {}
