package dev.wasmbind.sidecar.standalone;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;

/**
 * Reads the documents of a YAML stream into plain values: maps (in file order), lists, strings and
 * nulls. A scalar stays the text it was written as ({@code sha256: 0123…} keeps its leading zero,
 * {@code VERSION: 1.10} its last digit); a plain {@code null}, {@code ~} or empty scalar is null.
 * Booleans and numbers are left to {@link dev.wasmbind.sidecar.spec.WasmBindingSpecReader}, which
 * knows what each field wants.
 *
 * <p>Built on snakeyaml-engine's parser events, not its composer and constructors: fewer classes to
 * load at start, and the nesting is bounded here (the composer recurses, so a deeply nested file
 * overflowed the stack). An alias shares the anchored value instead of copying it; an alias to a
 * collection still open (a cycle) is refused as undefined.
 */
final class YamlDocuments {

    /** Deeper than any resource needs; classic snakeyaml's default limit is 50. */
    static final int MAX_DEPTH = 100;

    /** As many aliases to collections per document as snakeyaml allows by default. */
    static final int MAX_COLLECTION_ALIASES = 50;

    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");
    private static final LoadSettings SETTINGS = LoadSettings.builder().build();

    private YamlDocuments() {}

    /**
     * Hands every document of {@code yaml} to {@code each} as soon as it is read, so the documents
     * before a syntax error are kept.
     *
     * @throws RuntimeException snakeyaml-engine's exception for a syntax error, or {@link
     *     IllegalArgumentException} for nesting, aliases or keys this reader refuses
     */
    static void read(InputStream yaml, Consumer<Object> each) {
        Deque<OpenCollection> open = new ArrayDeque<>();
        Map<String, Object> anchors = new HashMap<>();
        int collectionAliases = 0;
        for (Event event : new Parse(SETTINGS).parseInputStream(yaml)) {
            switch (event.getEventId()) {
                case DocumentStart -> {
                    anchors.clear();
                    collectionAliases = 0;
                }
                case MappingStart, SequenceStart -> {
                    if (open.size() >= MAX_DEPTH) {
                        throw new IllegalArgumentException(
                                "nested deeper than " + MAX_DEPTH + " levels" + at(event));
                    }
                    boolean mapping = event.getEventId() == Event.ID.MappingStart;
                    open.push(new OpenCollection(mapping, anchor(event)));
                }
                case MappingEnd, SequenceEnd -> {
                    OpenCollection done = open.pop();
                    if (done.anchor != null) {
                        anchors.put(done.anchor, done.value);
                    }
                    add(open, done.value, each, event);
                }
                case Scalar -> {
                    ScalarEvent scalar = (ScalarEvent) event;
                    boolean isNull =
                            scalar.isPlain()
                                    && scalar.getTag().isEmpty()
                                    && NULLS.contains(scalar.getValue());
                    Object value = isNull ? null : scalar.getValue();
                    String anchor = anchor(event);
                    if (anchor != null) {
                        anchors.put(anchor, value);
                    }
                    add(open, value, each, event);
                }
                case Alias -> {
                    String name = ((AliasEvent) event).getAlias().getValue();
                    if (!anchors.containsKey(name)) {
                        throw new IllegalArgumentException(
                                "alias *" + name + " refers to no anchor before it" + at(event));
                    }
                    Object value = anchors.get(name);
                    if ((value instanceof Map || value instanceof List)
                            && ++collectionAliases > MAX_COLLECTION_ALIASES) {
                        throw new IllegalArgumentException(
                                "more than "
                                        + MAX_COLLECTION_ALIASES
                                        + " aliases to collections in one document"
                                        + at(event));
                    }
                    add(open, value, each, event);
                }
                default -> {
                    // stream and document boundaries, comments: nothing to build
                }
            }
        }
    }

    private static void add(
            Deque<OpenCollection> open, Object value, Consumer<Object> each, Event at) {
        OpenCollection parent = open.peek();
        if (parent == null) {
            each.accept(value);
        } else {
            parent.add(value, at);
        }
    }

    private static String anchor(Event event) {
        return ((NodeEvent) event).getAnchor().map(Anchor::getValue).orElse(null);
    }

    private static String at(Event event) {
        return event.getStartMark().map(mark -> " (line " + (mark.getLine() + 1) + ")").orElse("");
    }

    /** A mapping or a sequence being read; a mapping alternates between key and value. */
    private static final class OpenCollection {
        final Object value;
        final String anchor;
        private String key;
        private boolean expectingValue;

        OpenCollection(boolean mapping, String anchor) {
            this.value = mapping ? new LinkedHashMap<String, Object>() : new ArrayList<>();
            this.anchor = anchor;
        }

        @SuppressWarnings("unchecked")
        void add(Object item, Event at) {
            if (value instanceof List<?> list) {
                ((List<Object>) list).add(item);
            } else if (!expectingValue) {
                if (item instanceof Map || item instanceof List) {
                    throw new IllegalArgumentException(
                            "a mapping key must be a scalar, not a collection" + at(at));
                }
                key = String.valueOf(item);
                expectingValue = true;
            } else {
                // As Jackson did: a repeated key keeps the last value.
                ((Map<String, Object>) value).put(key, item);
                expectingValue = false;
            }
        }
    }
}
