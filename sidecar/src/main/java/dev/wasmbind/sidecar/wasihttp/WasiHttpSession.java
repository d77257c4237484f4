package dev.wasmbind.sidecar.wasihttp;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.wasmbind.module.source.AddressGuard;
import dev.wasmbind.module.validate.HostModules;
import dev.wasmbind.sidecar.wasihttp.OutboundMetrics.Outcome;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's state for the 2023 wasi-http preview host ABI that Dapr's wasm binding offers (import
 * modules {@code types}, {@code streams} and {@code default-outgoing-HTTP}, as TinyGo 0.28 guests
 * built with dev-wasm-go's client import them): handle tables for fields, requests, responses and
 * streams, and the host functions that work on them. The same semantics as the host Dapr uses:
 * handles count up from 2 per table, a failed request answers handle 0, strings and lists the host
 * returns are placed in guest memory through the guest's {@code cabi_realloc}.
 */
public final class WasiHttpSession {

    public static final String TYPES = "types";
    public static final String STREAMS = "streams";
    public static final String DEFAULT_HTTP = "default-outgoing-HTTP";

    private static final Logger LOG = LoggerFactory.getLogger(WasiHttpSession.class);
    private static final List<String> METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    /** Every function of the ABI, by import module (what the validator accepts). */
    public static final Map<String, Set<String>> FUNCTIONS = HostModules.WASI_HTTP_2023;

    private static final class Request {
        String method = "GET";
        String path = "";
        String query = "";
        String scheme = "https";
        String authority = "";
        int headers;
        ByteArrayOutputStream body;
    }

    private static final class Response {
        final int status;
        final Map<String, List<String>> headers;
        final byte[] body;
        int headersHandle;
        ByteArrayOutputStream written;

        Response(int status, Map<String, List<String>> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    /** A stream: readable over a byte array, or writable into a buffer. */
    private static final class Stream {
        final byte[] source;
        final ByteArrayOutputStream sink;
        int position;

        Stream(byte[] source, ByteArrayOutputStream sink) {
            this.source = source;
            this.sink = sink;
        }
    }

    private final OutboundPolicy policy;
    private final OutboundClient client;
    private final Map<Integer, Map<String, List<String>>> fields = new HashMap<>();
    private final Map<Integer, Request> requests = new HashMap<>();
    private final Map<Integer, Response> responses = new HashMap<>();
    private final Map<Integer, Stream> streams = new HashMap<>();
    private int nextFields = 1;
    private int nextRequest = 1;
    private int nextResponse = 1;
    private int nextStream = 1;
    private String problem;

    private WasiHttpSession(OutboundPolicy policy, AddressGuard guard) {
        this.policy = policy;
        this.client = new OutboundClient(policy, guard);
    }

    /** A session for one call, with the sidecar's address guard. */
    public static WasiHttpSession open(OutboundPolicy policy) {
        return new WasiHttpSession(policy, OutboundGuard.DEFAULT);
    }

    /** As {@link #open}, with another guard (tests). */
    public static WasiHttpSession open(OutboundPolicy policy, AddressGuard guard) {
        return new WasiHttpSession(policy, guard);
    }

    /** Whether a module importing {@code module.name} needs this ABI. */
    public static boolean provides(String module, String name) {
        Set<String> names = FUNCTIONS.get(module);
        return names != null && names.contains(name);
    }

    /**
     * Why the guest's last request was refused or failed, for the call's error answer; {@code null}
     * when none was.
     */
    public String problem() {
        return problem;
    }

    /** The host functions among {@code imported} (function names the module imports). */
    public List<ImportFunction> hostFunctions(Set<String> imported) {
        List<HostFunction> all = new ArrayList<>();
        types(all);
        all.add(fn(STREAMS, "read", List.of(I32, ValType.I64, I32), List.of(), this::read));
        all.add(
                fn(
                        STREAMS,
                        "drop-input-stream",
                        ints(1),
                        List.of(),
                        (inst, a) -> drop(streams, a[0])));
        all.add(fn(STREAMS, "write", ints(4), List.of(), this::write));
        all.add(fn(DEFAULT_HTTP, "request", ints(14), ints(1), (inst, a) -> new long[] {0}));
        all.add(fn(DEFAULT_HTTP, "handle", ints(8), ints(1), this::handle));
        all.removeIf(f -> !imported.contains(f.name()));
        return List.copyOf(all);
    }

    private static final ValType I32 = ValType.I32;

    private void types(List<HostFunction> all) {
        all.add(fn(TYPES, "new-outgoing-request", ints(14), ints(1), this::newOutgoingRequest));
        all.add(fn(TYPES, "new-fields", ints(2), ints(1), this::newFields));
        all.add(fn(TYPES, "drop-fields", ints(1), List.of(), (i, a) -> drop(fields, a[0])));
        all.add(fn(TYPES, "fields-entries", ints(2), List.of(), this::fieldsEntries));
        all.add(
                fn(
                        TYPES,
                        "drop-outgoing-request",
                        ints(1),
                        List.of(),
                        (i, a) -> drop(requests, a[0])));
        all.add(fn(TYPES, "outgoing-request-write", ints(2), List.of(), this::requestWrite));
        all.add(
                fn(
                        TYPES,
                        "drop-incoming-response",
                        ints(1),
                        List.of(),
                        (i, a) -> drop(responses, a[0])));
        all.add(
                fn(
                        TYPES,
                        "incoming-response-status",
                        ints(1),
                        ints(1),
                        (i, a) -> {
                            Response r = responses.get((int) a[0]);
                            return new long[] {r == null ? 0 : r.status};
                        }));
        all.add(fn(TYPES, "incoming-response-headers", ints(1), ints(1), this::responseHeaders));
        all.add(fn(TYPES, "incoming-response-consume", ints(2), List.of(), this::consume));
        all.add(fn(TYPES, "future-incoming-response-get", ints(2), List.of(), this::futureGet));
        all.add(fn(TYPES, "incoming-request-method", ints(2), List.of(), this::requestMethod));
        all.add(
                fn(
                        TYPES,
                        "incoming-request-path",
                        ints(2),
                        List.of(),
                        (i, a) -> requestString(i, a, r -> r.path)));
        all.add(
                fn(
                        TYPES,
                        "incoming-request-authority",
                        ints(2),
                        List.of(),
                        (i, a) -> requestString(i, a, r -> r.authority)));
        all.add(
                fn(
                        TYPES,
                        "incoming-request-headers",
                        ints(1),
                        ints(1),
                        (i, a) -> {
                            Request r = requests.get((int) a[0]);
                            return new long[] {r == null ? 0 : r.headers};
                        }));
        // There are no incoming requests in a binding call: consuming one is an error.
        all.add(
                fn(
                        TYPES,
                        "incoming-request-consume",
                        ints(2),
                        List.of(),
                        (i, a) -> writeInts(i.memory(), (int) a[1], 1, 0)));
        all.add(
                fn(
                        TYPES,
                        "drop-incoming-request",
                        ints(1),
                        List.of(),
                        (i, a) -> {
                            Request r = requests.remove((int) a[0]);
                            if (r != null) {
                                fields.remove(r.headers);
                            }
                            return null;
                        }));
        all.add(
                fn(
                        TYPES,
                        "set-response-outparam",
                        ints(5),
                        ints(1),
                        (i, a) -> new long[] {a[1] == 1 ? 1 : 0}));
        all.add(
                fn(
                        TYPES,
                        "new-outgoing-response",
                        ints(2),
                        ints(1),
                        (i, a) -> {
                            Response r = new Response((int) a[0], Map.of(), new byte[0]);
                            r.headersHandle = (int) a[1];
                            int handle = ++nextResponse;
                            responses.put(handle, r);
                            return new long[] {handle};
                        }));
        all.add(fn(TYPES, "outgoing-response-write", ints(2), List.of(), this::responseWrite));
        all.add(fn(TYPES, "drop-outgoing-response", ints(1), List.of(), (i, a) -> null));
        all.add(
                fn(
                        TYPES,
                        "log-it",
                        ints(2),
                        List.of(),
                        (i, a) -> {
                            LOG.info(
                                    "guest of binding {}: {}",
                                    policy.binding(),
                                    i.memory().readString((int) a[0], (int) a[1]));
                            return null;
                        }));
    }

    private long[] newOutgoingRequest(Instance instance, long... a) {
        Memory memory = instance.memory();
        Request request = new Request();
        int method = (int) a[0];
        if (method >= 0 && method < METHODS.size()) {
            request.method = METHODS.get(method);
        } else {
            // method 9: other(string)
            request.method = memory.readString((int) a[1], (int) a[2]);
        }
        request.path = memory.readString((int) a[3], (int) a[4]);
        request.query = memory.readString((int) a[5], (int) a[6]);
        if (a[7] == 1) {
            if (a[8] == 0) {
                request.scheme = "http";
            } else if (a[8] == 2) {
                request.scheme = memory.readString((int) a[9], (int) a[10]);
            }
        }
        request.authority = memory.readString((int) a[11], (int) a[12]);
        request.headers = (int) a[13];
        int handle = ++nextRequest;
        requests.put(handle, request);
        return new long[] {handle};
    }

    private long[] newFields(Instance instance, long... a) {
        Memory memory = instance.memory();
        int base = (int) a[0];
        int count = (int) a[1];
        Map<String, List<String>> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int entry = base + i * 16;
            String key = memory.readString(memory.readInt(entry), memory.readInt(entry + 4));
            String value = memory.readString(memory.readInt(entry + 8), memory.readInt(entry + 12));
            entries.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        int handle = ++nextFields;
        fields.put(handle, entries);
        return new long[] {handle};
    }

    /**
     * list(tuple(string, string)): one entry per header name with its first value, as wasi-go lists
     * them (dev-wasm-go's client keeps one value per name too). An unknown handle gives an empty
     * list (wasi-go leaves the result unwritten).
     */
    private long[] fieldsEntries(Instance instance, long... a) {
        Map<String, List<String>> entries = fields.get((int) a[0]);
        if (entries == null) {
            return writeInts(instance.memory(), (int) a[1], 0, 0);
        }
        List<String[]> pairs = GoHttp.firstValues(entries);
        int list = allocate(instance, pairs.size() * 16);
        writeInts(instance.memory(), (int) a[1], list, pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            byte[] key = pairs.get(i)[0].getBytes(StandardCharsets.UTF_8);
            byte[] value = pairs.get(i)[1].getBytes(StandardCharsets.UTF_8);
            int keyPtr = place(instance, key);
            int valuePtr = place(instance, value);
            writeInts(instance.memory(), list + i * 16, keyPtr, key.length, valuePtr, value.length);
        }
        return null;
    }

    private long[] requestWrite(Instance instance, long... a) {
        Request request = requests.get((int) a[0]);
        if (request == null) {
            writeInts(instance.memory(), (int) a[1], 1, 0);
            return null;
        }
        request.body = new ByteArrayOutputStream();
        int stream = ++nextStream;
        streams.put(stream, new Stream(null, request.body));
        writeInts(instance.memory(), (int) a[1], 0, stream);
        return null;
    }

    private long[] responseWrite(Instance instance, long... a) {
        Response response = responses.get((int) a[0]);
        if (response == null) {
            writeInts(instance.memory(), (int) a[1], 1, 0);
            return null;
        }
        response.written = new ByteArrayOutputStream();
        int stream = ++nextStream;
        streams.put(stream, new Stream(null, response.written));
        writeInts(instance.memory(), (int) a[1], 0, stream);
        return null;
    }

    private long[] handle(Instance instance, long... a) {
        Request request = requests.get((int) a[0]);
        if (request == null) {
            return new long[] {0};
        }
        URI url;
        try {
            url = GoHttp.url(request.scheme, request.authority, request.path, request.query);
        } catch (URISyntaxException e) {
            return failed(Outcome.FAILED, "invalid request URL: " + e.getMessage());
        }
        Map<String, List<String>> headers = fields.getOrDefault(request.headers, Map.of());
        byte[] body = request.body == null ? null : request.body.toByteArray();
        try {
            OutboundClient.Response answer = client.send(request.method, url, headers, body);
            OutboundMetrics.record(policy.binding(), Outcome.SENT);
            Map<String, List<String>> answerHeaders = new LinkedHashMap<>();
            answer.headers()
                    .forEach(
                            (name, values) -> {
                                // Go's client names response headers canonically.
                                if (!name.startsWith(":")) {
                                    answerHeaders
                                            .computeIfAbsent(
                                                    GoHttp.canonicalKey(name),
                                                    k -> new ArrayList<>())
                                            .addAll(values);
                                }
                            });
            int handle = ++nextResponse;
            responses.put(handle, new Response(answer.status(), answerHeaders, answer.body()));
            return new long[] {handle};
        } catch (OutboundException e) {
            return failed(e.outcome(), e.getMessage());
        }
    }

    private long[] failed(Outcome outcome, String message) {
        OutboundMetrics.record(policy.binding(), outcome);
        LOG.warn(
                "binding {}: guest HTTP request {}: {}",
                policy.binding(),
                outcome.label(),
                message);
        problem = message;
        return new long[] {0};
    }

    private long[] responseHeaders(Instance instance, long... a) {
        Response response = responses.get((int) a[0]);
        if (response == null) {
            return new long[] {0};
        }
        if (response.headersHandle == 0) {
            int handle = ++nextFields;
            fields.put(handle, new LinkedHashMap<>(response.headers));
            response.headersHandle = handle;
        }
        return new long[] {response.headersHandle};
    }

    private long[] consume(Instance instance, long... a) {
        Response response = responses.get((int) a[0]);
        if (response == null) {
            writeInts(instance.memory(), (int) a[1], 1);
            return null;
        }
        int stream = ++nextStream;
        streams.put(stream, new Stream(response.body, null));
        writeInts(instance.memory(), (int) a[1], 0, stream);
        return null;
    }

    /**
     * option(result(incoming-response, error)): the response is there once {@code handle} returns,
     * so always some; ok with the handle (option tag, result tag, handle at +8). For an unknown
     * handle (0, a failed request) err(unexpected-error(reason)) in the canonical layout (error tag
     * 3 at +8, the string at +12/+16), so a wit-bindgen guest lifts a real string; wasi-go answers
     * ok(handle) even then, and the guest fails at the next call instead.
     */
    private long[] futureGet(Instance instance, long... a) {
        int handle = (int) a[0];
        if (responses.containsKey(handle)) {
            return writeInts(instance.memory(), (int) a[1], 1, 0, handle);
        }
        byte[] reason =
                (problem == null ? "no such response: " + handle : problem)
                        .getBytes(StandardCharsets.UTF_8);
        int text = place(instance, reason);
        return writeInts(instance.memory(), (int) a[1], 1, 1, 3, text, reason.length);
    }

    private long[] requestMethod(Instance instance, long... a) {
        Request request = requests.get((int) a[0]);
        if (request != null) {
            int index = METHODS.indexOf(request.method);
            writeInts(instance.memory(), (int) a[1], index < 0 ? 9 : index);
        }
        return null;
    }

    private long[] requestString(
            Instance instance, long[] a, java.util.function.Function<Request, String> part) {
        Request request = requests.get((int) a[0]);
        if (request != null) {
            byte[] bytes = part.apply(request).getBytes(StandardCharsets.UTF_8);
            writeInts(instance.memory(), (int) a[1], place(instance, bytes), bytes.length);
        }
        return null;
    }

    /**
     * result(ok: tuple(list(u8), bool)): the bytes read and 1 while more follow, 0 with the read
     * that reaches the end (wasi-go's flag is Go's {@code io.EOF}, which a Go response body with a
     * Content-Length returns with its last bytes; a read at the end returns no bytes and 0).
     */
    private long[] read(Instance instance, long... a) {
        Stream stream = streams.get((int) a[0]);
        if (stream == null || stream.source == null) {
            writeInts(instance.memory(), (int) a[2], 1, 0, 0, 0);
            return null;
        }
        int remaining = stream.source.length - stream.position;
        int count = (int) Math.min(Math.max(a[1], 0), remaining);
        int ptr = allocate(instance, count);
        instance.memory().write(ptr, stream.source, stream.position, count);
        stream.position += count;
        boolean more = stream.position < stream.source.length;
        writeInts(instance.memory(), (int) a[2], 0, ptr, count, more ? 1 : 0);
        return null;
    }

    /** result(ok: count): the bytes taken; an error past the binding's size limit. */
    private long[] write(Instance instance, long... a) {
        Stream stream = streams.get((int) a[0]);
        int length = (int) a[2];
        if (stream == null
                || stream.sink == null
                || stream.sink.size() + (long) length > policy.maxResponseBytes()) {
            writeInts(instance.memory(), (int) a[3], 1, 0);
            return null;
        }
        byte[] data = instance.memory().readBytes((int) a[1], length);
        stream.sink.write(data, 0, data.length);
        writeInts(instance.memory(), (int) a[3], 0, length);
        return null;
    }

    private static long[] drop(Map<Integer, ?> table, long handle) {
        table.remove((int) handle);
        return null;
    }

    private static int place(Instance instance, byte[] bytes) {
        int ptr = allocate(instance, bytes.length);
        instance.memory().write(ptr, bytes);
        return ptr;
    }

    /** Memory from the guest's own allocator, as the canonical ABI does it. */
    private static int allocate(Instance instance, int size) {
        var realloc = instance.export("cabi_realloc");
        return (int) realloc.apply(0, 0, 4, size)[0];
    }

    private static long[] writeInts(Memory memory, int ptr, int... values) {
        for (int i = 0; i < values.length; i++) {
            memory.writeI32(ptr + i * 4, values[i]);
        }
        return null;
    }

    private static List<ValType> ints(int count) {
        return Collections.nCopies(count, I32);
    }

    private static HostFunction fn(
            String module,
            String name,
            List<ValType> params,
            List<ValType> results,
            WasmFunctionHandle handle) {
        return new HostFunction(module, name, FunctionType.of(params, results), handle);
    }
}
