package dev.wasmbind.injector.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** Turns patch operations into the JSON the API server applies. */
public final class PatchJson {

    // fabric8 model classes carry their own Jackson annotations (empty lists, quantities).
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PatchJson() {}

    public static byte[] toBytes(List<JsonPatchOperation> operations) {
        try {
            return MAPPER.writeValueAsBytes(operations);
        } catch (JsonProcessingException e) {
            // Only our own model objects go in: failing here is a bug, not bad input.
            throw new IllegalStateException("cannot serialize the patch", e);
        }
    }
}
