package io.counterfact.common.http;

import org.eclipse.microprofile.config.ConfigProvider;

import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The body limits of a service, by name, from {@code counterfact.body-limits.<name>} (bytes; env
 * {@code COUNTERFACT_BODY_LIMITS_<NAME>}). {@value #JSON} is 1 MiB unless configured; any other name must be.
 */
public final class BodyLimits {

    public static final String JSON = "json";
    public static final long DEFAULT_JSON_BYTES = 1024 * 1024;
    private static final String PREFIX = "counterfact.body-limits.";
    private static final Map<String, Long> CONFIGURED = new ConcurrentHashMap<>();

    private BodyLimits() {
    }

    /** The limit that applies to a resource method's body. */
    public static String nameFor(Method method, Class<?> resourceClass) {
        BodyLimit annotation = method == null ? null : method.getAnnotation(BodyLimit.class);
        if (annotation == null && resourceClass != null) {
            annotation = resourceClass.getAnnotation(BodyLimit.class);
        }
        return annotation == null ? JSON : annotation.value();
    }

    public static long bytes(String name) {
        return CONFIGURED.computeIfAbsent(name, n -> ConfigProvider.getConfig()
                .getOptionalValue(PREFIX + n, Long.class)
                .orElseGet(() -> {
                    if (JSON.equals(n)) {
                        return DEFAULT_JSON_BYTES;
                    }
                    throw new IllegalStateException(PREFIX + n + " is not configured");
                }));
    }

    /** "1048576 bytes (1 MiB)" */
    public static String describe(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String human = value == Math.rint(value) ? (long) value + " " + units[unit]
                : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
        return bytes + " bytes (" + human + ")";
    }
}
