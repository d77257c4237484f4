package dev.wasmbind.injector.patch;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar settings of one pod: its annotations, validated, over the injector's defaults.
 *
 * <p>An explicit annotation is never changed. Defaults bend to it: a default request above an
 * annotated limit is lowered to that limit, a default limit below an annotated request is raised to
 * that request (the same rule Kubernetes applies when only a limit is given).
 */
public record PodSettings(
        int httpPort,
        int healthPort,
        String logLevel,
        List<String> bindings,
        Quantity cpuRequest,
        Quantity cpuLimit,
        Quantity memoryRequest,
        Quantity memoryLimit) {

    public static final List<String> LOG_LEVELS =
            List.of("trace", "debug", "info", "warn", "error");

    // Kubernetes' quantity grammar, without a sign: a sidecar resource is always positive.
    private static final Pattern QUANTITY =
            Pattern.compile(
                    "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");
    // Kubernetes keeps a quantity in 64 bits, CPU in milli-units: the largest amount that fits
    // both ways. Longer strings and larger exponents are refused before any arithmetic (a huge
    // exponent would otherwise overflow or take forever).
    // Kubernetes rounds CPU to milli-units: anything smaller would silently become 1m or 0.
    private static final BigDecimal MIN_AMOUNT = new BigDecimal("0.001");
    private static final BigDecimal MAX_AMOUNT = BigDecimal.valueOf(Long.MAX_VALUE / 1000);
    private static final int MAX_QUANTITY_LENGTH = 40;
    private static final int MAX_EXPONENT_DIGITS = 2;
    private static final Pattern PORT = Pattern.compile("^[0-9]{1,5}$");
    // A WasmBinding name is a DNS-1123 subdomain.
    private static final Pattern RESOURCE_NAME =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

    /**
     * True for a quantity in Kubernetes' grammar from 1m to about 9.2e15 (8Pi of memory, 9.2e12
     * CPUs).
     */
    public static boolean isValidQuantity(String value) {
        return amount(value) != null;
    }

    /** The quantity's amount, or null when it is not a usable quantity; never throws. */
    private static BigDecimal amount(String value) {
        if (value == null || value.length() > MAX_QUANTITY_LENGTH) {
            return null;
        }
        Matcher m = QUANTITY.matcher(value);
        if (!m.matches()) {
            return null;
        }
        String suffix = m.group(3);
        if (suffix != null
                && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')
                && suffix.replaceFirst("^[eE][+-]?", "").length() > MAX_EXPONENT_DIGITS) {
            return null;
        }
        BigDecimal amount;
        try {
            amount = Quantity.getAmountInBytes(new Quantity(value));
        } catch (ArithmeticException | IllegalArgumentException e) {
            return null;
        }
        return amount.compareTo(MIN_AMOUNT) >= 0 && amount.compareTo(MAX_AMOUNT) <= 0
                ? amount
                : null;
    }

    /** Reads and validates the pod's wasmbind.dev/* annotations over the config's defaults. */
    public static PodSettings from(Map<String, String> annotations, SidecarConfig config)
            throws InvalidAnnotationException {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        int port = port(Annotations.PORT, a.get(Annotations.PORT), SidecarConfig.DEFAULT_HTTP_PORT);
        int healthPort =
                port(
                        Annotations.HEALTH_PORT,
                        a.get(Annotations.HEALTH_PORT),
                        SidecarConfig.DEFAULT_HEALTH_PORT);
        if (healthPort == port) {
            String key =
                    a.containsKey(Annotations.HEALTH_PORT)
                            ? Annotations.HEALTH_PORT
                            : Annotations.PORT;
            throw new InvalidAnnotationException(
                    key,
                    a.get(key),
                    "the API port ("
                            + Annotations.PORT
                            + ") and the health port ("
                            + Annotations.HEALTH_PORT
                            + ") are both "
                            + port
                            + "; give them different ports");
        }
        String logLevel = logLevel(a.get(Annotations.LOG_LEVEL), config.logLevel());
        List<String> bindings = bindings(a.get(Annotations.BINDINGS));
        Quantity[] cpu =
                requestAndLimit(
                        a,
                        Annotations.SIDECAR_CPU_REQUEST,
                        Annotations.SIDECAR_CPU_LIMIT,
                        config.cpuRequest(),
                        config.cpuLimit());
        Quantity[] memory =
                requestAndLimit(
                        a,
                        Annotations.SIDECAR_MEMORY_REQUEST,
                        Annotations.SIDECAR_MEMORY_LIMIT,
                        config.memoryRequest(),
                        config.memoryLimit());
        return new PodSettings(
                port, healthPort, logLevel, bindings, cpu[0], cpu[1], memory[0], memory[1]);
    }

    private static int port(String key, String value, int defaultPort)
            throws InvalidAnnotationException {
        if (value == null) {
            return defaultPort;
        }
        String v = value.trim();
        if (PORT.matcher(v).matches()) {
            int port = Integer.parseInt(v);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        }
        throw new InvalidAnnotationException(
                key,
                value,
                "use a port number from 1 to 65535 (default "
                        + defaultPort
                        + "), e.g. \""
                        + (defaultPort + 100)
                        + "\"");
    }

    private static String logLevel(String value, String defaultLevel)
            throws InvalidAnnotationException {
        if (value == null) {
            return defaultLevel;
        }
        String level = value.trim().toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw new InvalidAnnotationException(
                    Annotations.LOG_LEVEL, value, "use one of " + String.join(", ", LOG_LEVELS));
        }
        return level;
    }

    private static List<String> bindings(String value) throws InvalidAnnotationException {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<String> names =
                Arrays.stream(value.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
        for (String name : names) {
            if (name.length() > 253 || !RESOURCE_NAME.matcher(name).matches()) {
                throw new InvalidAnnotationException(
                        Annotations.BINDINGS,
                        value,
                        "\""
                                + name
                                + "\" is not a WasmBinding name; list names separated by commas,"
                                + " e.g. \"hello,resize-image\" (lower case letters, digits, '-' and"
                                + " '.')");
            }
        }
        return names;
    }

    private static Quantity[] requestAndLimit(
            Map<String, String> a,
            String requestKey,
            String limitKey,
            Quantity defaultRequest,
            Quantity defaultLimit)
            throws InvalidAnnotationException {
        Quantity request = quantity(requestKey, a.get(requestKey));
        Quantity limit = quantity(limitKey, a.get(limitKey));
        if (request != null && limit != null) {
            if (greater(request, limit)) {
                throw new InvalidAnnotationException(
                        requestKey,
                        a.get(requestKey),
                        "the request is above "
                                + limitKey
                                + " \""
                                + a.get(limitKey)
                                + "\"; make the request smaller than or equal to the limit");
            }
            return new Quantity[] {request, limit};
        }
        if (request != null) {
            Quantity l =
                    defaultLimit != null && greater(request, defaultLimit) ? request : defaultLimit;
            return new Quantity[] {request, l};
        }
        if (limit != null) {
            Quantity r =
                    defaultRequest != null && greater(defaultRequest, limit)
                            ? limit
                            : defaultRequest;
            return new Quantity[] {r, limit};
        }
        return new Quantity[] {defaultRequest, defaultLimit};
    }

    private static Quantity quantity(String key, String value) throws InvalidAnnotationException {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (!isValidQuantity(v)) {
            String example = key.contains("cpu") ? "\"250m\" or \"1\"" : "\"256Mi\" or \"1Gi\"";
            throw new InvalidAnnotationException(
                    key,
                    value,
                    "use a positive Kubernetes quantity of at most "
                            + (key.contains("cpu") ? "9e12 CPUs" : "8Pi")
                            + ", e.g. "
                            + example);
        }
        return new Quantity(v);
    }

    private static boolean greater(Quantity a, Quantity b) {
        return Quantity.getAmountInBytes(a).compareTo(Quantity.getAmountInBytes(b)) > 0;
    }
}
