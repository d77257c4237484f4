package dev.wasmbind.api.v1alpha1;

/** Where a WasmBinding stands. */
public enum Phase {
    Pending,
    Fetching,
    Ready,
    Failed
}
