package dev.wasmbind.sidecar.runtime;

import dev.wasmbind.sidecar.wasihttp.OutboundPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a binding's calls run: argv, environment, sandbox and limits. Immutable; it also keeps what
 * the binding's calls share ({@link CallTemplate}), made on the first call.
 */
public final class RunSettings {

    private final String programName;
    private final List<String> defaultArgs;
    private final Map<String, String> env;
    private final boolean strictSandbox;
    private final int maxMemoryPages;
    private final long maxResponseBytes;
    private final OutboundPolicy outbound;

    /** The calls' shared part for the module last run with these settings. */
    private volatile CallTemplate template;

    private RunSettings(Builder builder) {
        this.programName = builder.programName;
        this.defaultArgs = List.copyOf(builder.defaultArgs);
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.env));
        this.strictSandbox = builder.strictSandbox;
        this.maxMemoryPages = builder.maxMemoryPages;
        this.maxResponseBytes = builder.maxResponseBytes;
        this.outbound = builder.outbound;
    }

    public static Builder builder(String programName) {
        return new Builder(programName);
    }

    /** argv[0]: the module's file name without {@code .wasm}, as Dapr's wasm binding sets it. */
    public String programName() {
        return programName;
    }

    public List<String> defaultArgs() {
        return defaultArgs;
    }

    public Map<String, String> env() {
        return env;
    }

    public boolean strictSandbox() {
        return strictSandbox;
    }

    public int maxMemoryPages() {
        return maxMemoryPages;
    }

    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    /** Where the guest may send HTTP requests (wasi-http); none by default. */
    public OutboundPolicy outbound() {
        return outbound;
    }

    /**
     * What calls of {@code compiled} with these settings share, made once: a binding keeps its
     * settings while its module changes only when it is compiled or replaced, so one slot holds.
     */
    CallTemplate template(CompiledModule compiled) {
        CallTemplate current = template;
        if (current == null || current.compiled() != compiled) {
            current = new CallTemplate(compiled, this);
            template = current;
        }
        return current;
    }

    /** argv: program name, the binding's args, then the request's. */
    public List<String> argv(List<String> requestArgs) {
        List<String> argv = new ArrayList<>(1 + defaultArgs.size() + requestArgs.size());
        argv.add(programName);
        argv.addAll(defaultArgs);
        argv.addAll(requestArgs);
        return argv;
    }

    public static final class Builder {
        private final String programName;
        private List<String> defaultArgs = List.of();
        private Map<String, String> env = Map.of();
        private boolean strictSandbox;
        private int maxMemoryPages = 1024;
        private long maxResponseBytes = 4L * 1024 * 1024;
        private OutboundPolicy outbound = OutboundPolicy.NONE;

        private Builder(String programName) {
            this.programName = programName;
        }

        public Builder withDefaultArgs(List<String> defaultArgs) {
            this.defaultArgs = defaultArgs;
            return this;
        }

        public Builder withEnv(Map<String, String> env) {
            this.env = env;
            return this;
        }

        public Builder withStrictSandbox(boolean strictSandbox) {
            this.strictSandbox = strictSandbox;
            return this;
        }

        public Builder withMaxMemoryPages(int maxMemoryPages) {
            this.maxMemoryPages = maxMemoryPages;
            return this;
        }

        public Builder withMaxResponseBytes(long maxResponseBytes) {
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        public Builder withOutbound(OutboundPolicy outbound) {
            this.outbound = outbound;
            return this;
        }

        public RunSettings build() {
            return new RunSettings(this);
        }
    }
}
