package io.counterfact.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoublePredicate;
import java.util.function.LongPredicate;

/**
 * One option an estimator accepts: its name, default and parser. The parser turns the JSON value
 * into the canonical one or throws an {@link InvalidSpecException} naming {@code options.<name>}.
 *
 * @param name         the option's key
 * @param defaultValue the parsed default
 * @param parser       raw JSON value → canonical value
 * @param description  values accepted, in words (for error messages and docs)
 */
public record OptionSpec(String name, Object defaultValue, Parser parser, String description) {

    /** Parses one option value. */
    @FunctionalInterface
    public interface Parser {
        /**
         * @param raw   the JSON value (String, Number, Boolean, Map, List)
         * @param field {@code options.<name>}, for errors
         */
        Object parse(Object raw, String field);
    }

    /** A string option taking one of {@code values} (the first is the default), matched ignoring case; parses to the canonical spelling. */
    public static OptionSpec choice(String name, String... values) {
        List<String> allowed = Arrays.asList(values);
        String description = "one of " + String.join(", ", allowed);
        return new OptionSpec(name, values[0], (raw, field) -> {
            if (raw instanceof String s) {
                for (String v : allowed) {
                    if (v.equalsIgnoreCase(s.trim())) {
                        return v;
                    }
                }
            }
            throw new InvalidSpecException(field, "Option " + name + " = " + show(raw) + " is not valid: " + description);
        }, description);
    }

    /** A number option with a validity test. */
    public static OptionSpec number(String name, double defaultValue, DoublePredicate valid, String description) {
        return new OptionSpec(name, defaultValue, (raw, field) -> {
            Double d = asDouble(raw);
            if (d == null || !Double.isFinite(d) || !valid.test(d)) {
                throw new InvalidSpecException(field, "Option " + name + " = " + show(raw) + " is not valid: " + description);
            }
            return d;
        }, description);
    }

    /** An integer option with a validity test; parses to a Long. */
    public static OptionSpec integer(String name, long defaultValue, LongPredicate valid, String description) {
        return new OptionSpec(name, defaultValue, (raw, field) -> {
            Long l = asLong(raw);
            if (l == null || !valid.test(l)) {
                throw new InvalidSpecException(field, "Option " + name + " = " + show(raw) + " is not valid: " + description);
            }
            return l;
        }, description);
    }

    /** A JSON number (or numeric string) as a double, else null. */
    public static Double asDouble(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue();
        }
        if (raw instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A JSON whole number (or such a string) as a long, else null. */
    public static Long asLong(Object raw) {
        Double d = asDouble(raw);
        if (d == null || !Double.isFinite(d) || d != Math.rint(d) || Math.abs(d) > 9.0e15) {
            return null;
        }
        return d.longValue();
    }

    /** A value as shown in an error message. */
    public static String show(Object raw) {
        if (raw instanceof String s) {
            return "'" + s + "'";
        }
        return String.valueOf(raw).toLowerCase(Locale.ROOT).equals("null") ? "null" : String.valueOf(raw);
    }
}
