package io.counterfact.common.http;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's messages in words a client can use: Java type names (which are internal: {@code `java.lang.String`},
 * {@code (class io.counterfact.ingestion.dataset.NewDataset)}) become the JSON kind they stand for, Jackson's
 * token names ({@code `JsonToken.START_ARRAY`}) the character or kind of value they stand for, and the
 * pointers to Jackson's own API ({@code (..., from `StreamReadConstraints.getMaxNestingDepth()`)}) are dropped.
 */
final class JsonErrorText {

    private static final Pattern FROM_API = Pattern.compile(",?\\s*from `[^`]*`");
    private static final Pattern CLASS_IN_PARENS = Pattern.compile("\\s*\\(class [\\w.$\\[\\]<>, ]+\\)");
    private static final Pattern TOKEN = Pattern.compile("`JsonToken\\.(\\w+)`");
    private static final Map<String, String> TOKENS = Map.ofEntries(
            Map.entry("START_ARRAY", "'['"), Map.entry("END_ARRAY", "']'"), Map.entry("START_OBJECT", "'{'"),
            Map.entry("END_OBJECT", "'}'"), Map.entry("FIELD_NAME", "a field name"),
            Map.entry("VALUE_STRING", "a string"), Map.entry("VALUE_NUMBER_INT", "a number"),
            Map.entry("VALUE_NUMBER_FLOAT", "a number"), Map.entry("VALUE_TRUE", "true"),
            Map.entry("VALUE_FALSE", "false"), Map.entry("VALUE_NULL", "null"));
    private static final Pattern QUOTED_TYPE = Pattern.compile("`([\\w.$\\[\\]<>, ]+)`");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*(?:\\[])*");
    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("String", "string"), Map.entry("char", "string"), Map.entry("Character", "string"),
            Map.entry("int", "number"), Map.entry("Integer", "number"), Map.entry("long", "number"),
            Map.entry("Long", "number"), Map.entry("double", "number"), Map.entry("Double", "number"),
            Map.entry("float", "number"), Map.entry("Float", "number"), Map.entry("short", "number"),
            Map.entry("Short", "number"), Map.entry("BigDecimal", "number"), Map.entry("BigInteger", "number"),
            Map.entry("Number", "number"), Map.entry("boolean", "boolean"), Map.entry("Boolean", "boolean"));

    private JsonErrorText() {
    }

    static String clean(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        String text = FROM_API.matcher(message).replaceAll("");
        text = CLASS_IN_PARENS.matcher(text).replaceAll("");
        Matcher token = TOKEN.matcher(text);
        StringBuilder tokens = new StringBuilder();
        while (token.find()) {
            token.appendReplacement(tokens, Matcher.quoteReplacement(TOKENS.getOrDefault(token.group(1), "a value")));
        }
        text = token.appendTail(tokens).toString();
        text = replace(QUOTED_TYPE, text, 1);
        text = replace(QUALIFIED_NAME, text, 0);
        return text;
    }

    private static String replace(Pattern pattern, String text, int group) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(kind(m.group(group))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The JSON kind a Java type name stands for: string, number, boolean, array or object. */
    static String kind(String type) {
        String t = type.trim();
        int generic = t.indexOf('<');
        String raw = generic >= 0 ? t.substring(0, generic) : t;
        String simple = raw.substring(raw.lastIndexOf('.') + 1);
        if (simple.endsWith("[]") && !simple.equals("byte[]")) {
            return "array";
        }
        if (KINDS.containsKey(simple)) {
            return KINDS.get(simple);
        }
        if (simple.endsWith("List") || simple.endsWith("Set") || simple.endsWith("Collection")
                || simple.equals("ArrayNode")) {
            return "array";
        }
        return "object";
    }
}
