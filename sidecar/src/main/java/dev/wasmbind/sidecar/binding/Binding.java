package dev.wasmbind.sidecar.binding;

import dev.wasmbind.sidecar.runtime.CompiledModule;
import dev.wasmbind.sidecar.runtime.RunSettings;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * A binding as the sidecar holds it: either ready to run or failed to load. A failed binding stays
 * in the registry so that its calls answer with the reason.
 */
public sealed interface Binding permits Binding.Ready, Binding.Failed {

    String name();

    /** Where the module came from (the spec's URL). */
    String url();

    /**
     * A loaded binding.
     *
     * @param compiled the compiled module
     * @param settings argv, env, sandbox and memory/response limits of each call
     * @param timeout longest a call may run
     * @param maxRequestBytes largest accepted request body
     * @param maxConcurrency most calls running at once
     * @param rawData write a JSON string's contents raw to STDIN
     * @param permits the concurrency limiter of this binding
     */
    record Ready(
            String name,
            String url,
            CompiledModule compiled,
            RunSettings settings,
            Duration timeout,
            long maxRequestBytes,
            int maxConcurrency,
            boolean rawData,
            Semaphore permits)
            implements Binding {

        public String digest() {
            return compiled.digest();
        }

        /** The same binding (same concurrency permits) running {@code module} instead. */
        public Ready withModule(CompiledModule module) {
            return new Ready(
                    name,
                    url,
                    module,
                    settings,
                    timeout,
                    maxRequestBytes,
                    maxConcurrency,
                    rawData,
                    permits);
        }
    }

    /**
     * A binding that could not be loaded.
     *
     * @param reason why, in words a user can act on
     */
    record Failed(String name, String url, String reason) implements Binding {}
}
