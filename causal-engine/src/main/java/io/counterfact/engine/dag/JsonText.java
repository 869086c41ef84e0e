package io.counterfact.engine.dag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for the DAG's JSON form when it arrives as text (the engine receives the
 * request's {@code dag} as a String): objects become LinkedHashMaps, arrays Lists, strings Strings,
 * numbers Doubles, and true/false/null themselves. Enough for {@code {"nodes": [...], "edges":
 * [[...]]}}; the engine has no JSON library.
 */
final class JsonText {

    /** How deeply arrays and objects may nest (the DAG's form needs three levels). */
    static final int MAX_DEPTH = 64;

    private final String s;
    private int i;
    private int depth;

    private JsonText(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        JsonText p = new JsonText(text);
        Object v = p.value();
        p.skip();
        if (p.i != text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return v;
    }

    private Object value() {
        skip();
        if (i >= s.length()) {
            throw error("unexpected end of the JSON text");
        }
        char c = s.charAt(i);
        if ((c == '{' || c == '[') && depth >= MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " deep");
        }
        switch (c) {
            case '{':
                depth++;
                Object o = object();
                depth--;
                return o;
            case '[':
                depth++;
                Object a = array();
                depth--;
                return a;
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || Character.isDigit(c)) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skip();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            skip();
            if (peek() != '"') {
                throw error("expected a quoted key");
            }
            String key = string();
            skip();
            expect(':');
            m.put(key, value());
            skip();
            if (peek() == ',') {
                i++;
            } else {
                expect('}');
                return m;
            }
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        i++;
        skip();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            a.add(value());
            skip();
            if (peek() == ',') {
                i++;
            } else {
                expect(']');
                return a;
            }
        }
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("bad \\u escape");
                    }
                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
    }

    private Object number() {
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        try {
            return Double.parseDouble(s.substring(start, i));
        } catch (NumberFormatException e) {
            throw error("bad number");
        }
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, i)) {
            throw error("unexpected text");
        }
        i += word.length();
        return value;
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private DagException error(String message) {
        int line = 1;
        int col = 1;
        for (int k = 0; k < i && k < s.length(); k++) {
            if (s.charAt(k) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return DagException.syntax("invalid JSON: " + message, line, col);
    }
}
