package io.counterfact.ingestion.rows;

/**
 * The value rules of the public API, shared by the CSV and NDJSON readers: an empty field or {@code NA} is a
 * missing value; numeric values are finite numbers in plain decimal or scientific notation (Java's own parser also
 * takes {@code NaN}, {@code Infinity}, hex floats and a trailing {@code d}, which a CSV from another tool must not
 * silently turn into numbers); binary values are 0/1 or true/false.
 */
public final class Values {

    /** Returned by {@link #parseBinary} for a value that is not binary. */
    public static final int NOT_BINARY = Integer.MIN_VALUE;

    private Values() {
    }

    public static boolean isMissing(String text) {
        return text.isEmpty() || "NA".equals(text);
    }

    /** @return the number, or NaN if {@code text} is not a finite plain number */
    public static double parseFinite(String text) {
        if (!isPlainNumber(text)) {
            return Double.NaN;
        }
        double value = Double.parseDouble(text);
        return Double.isFinite(value) ? value : Double.NaN;
    }

    public static String numericFault(String text) {
        String lower = text.toLowerCase();
        if (lower.contains("nan") || lower.contains("inf")) {
            return "'" + abbreviate(text) + "' is not a finite number (NaN and Infinity are not allowed; an empty field or NA is a missing value)";
        }
        if (isPlainNumber(text)) {
            return "'" + abbreviate(text) + "' overflows a double";
        }
        return "'" + abbreviate(text) + "' is not a number";
    }

    /** @return 0 or 1, or {@link #NOT_BINARY} */
    public static int parseBinary(String text) {
        return switch (text) {
            case "0", "false", "FALSE", "False" -> 0;
            case "1", "true", "TRUE", "True" -> 1;
            default -> NOT_BINARY;
        };
    }

    public static String binaryFault(String text) {
        return "'" + abbreviate(text) + "' is not binary (0/1 or true/false)";
    }

    static boolean isPlainNumber(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isAsciiDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * @return why a text (categorical) value cannot be stored as it is, or null: a string from a JSON escape may hold
     * a surrogate on its own, which is no character and has no UTF-8 form (it would be stored as '?'), and U+0000
     * cannot be kept in a PostgreSQL text or jsonb value, where levels end up downstream (results, views)
     */
    public static String textFault(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "'" + abbreviate(text) + "' contains U+0000 (NUL), which is not allowed in a value";
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "'" + abbreviate(text) + "' contains a lone surrogate (" + escape(c)
                        + "), which is not a Unicode character";
            }
        }
        return null;
    }

    /** At most 40 characters, never ending inside a surrogate pair. */
    static String abbreviate(String text) {
        if (text.length() <= 40) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(36)) ? 36 : 37;
        return text.substring(0, end) + "...";
    }

    /**
     * The text with control characters and lone surrogates written as escapes (backslash, u, four hex digits), for
     * quoting input in an answer so that the client sees exactly which character is at fault: a control character is
     * invisible or garbles a terminal or log line, and a lone surrogate has no UTF-8 form (a client's decoder turns
     * it into U+FFFD or refuses the answer).
     */
    public static String visible(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1));
            boolean hidden = (Character.isISOControl(c) && c != '\t') || (Character.isSurrogate(c) && !pair);
            if (hidden && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (hidden) {
                    out.append(escape(c));
                } else if (pair) {
                    out.append(c).append(text.charAt(++i));
                } else {
                    out.append(c);
                }
            } else if (pair) {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    private static String escape(char c) {
        return String.format("\\u%04X", (int) c);
    }
}
