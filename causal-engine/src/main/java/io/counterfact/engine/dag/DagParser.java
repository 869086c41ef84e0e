package io.counterfact.engine.dag;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a DAG from dagitty text or from the JSON form, the two spellings the API accepts.
 *
 * <p><b>dagitty text</b> (the subset of dagitty's dot-like grammar that describes a DAG):
 * {@code dag { A -> B; B <- C; A <-> D; E }}. The {@code dag} header is optional. Statements are
 * separated by {@code ;}, new lines or just spaces (as in dagitty, where {@code ;} is white space).
 * A statement is a lone node, or a chain of operands joined by {@code ->}, {@code <-} and
 * {@code <->} ({@code A -> B <- C}); an operand is a node or a group {@code {A B}} that stands for
 * each of its nodes. Names are bare words ({@code [0-9A-Za-z_.]}, letters of any script) or
 * double-quoted strings. A node may carry attributes in brackets: {@code latent} (or {@code l}),
 * {@code exposure} ({@code e}), {@code outcome} ({@code o}); others such as {@code pos="1,2"},
 * {@code adjusted} and {@code selected} are accepted and ignored, as are attributes after an edge
 * ({@code A -> B [beta=.3]}) and graph options ({@code bb="0,0,1,1"}). Undirected and PAG edges
 * ({@code --}, {@code @->}, ...) and graph types other than {@code dag} are errors.
 *
 * <p><b>JSON form</b>, given as the parsed Map/List structure:
 * {@code {"nodes": [...], "edges": [["A","B"]], "bidirected": [["A","D"]], "latent": ["U"]}};
 * {@code nodes} is required, the others optional, and every edge must name listed nodes.
 */
public final class DagParser {

    private static final Pattern JSON_TEXT = Pattern.compile("^\\s*\\{\\s*\"(nodes|edges|bidirected|latent)\"\\s*:.*",
            Pattern.DOTALL);

    private DagParser() {
    }

    /**
     * A DAG from the API's {@code dag} field: a String (dagitty text, or the JSON form as text) or a
     * Map (the JSON form, parsed).
     *
     * @throws DagException naming the position of a syntax error, the unknown node, or the cycle
     */
    public static Dag parse(Object spec) {
        if (spec instanceof String text) {
            if (JSON_TEXT.matcher(text).matches()) {
                // the JSON form as text (a service may hand over the raw field); dagitty text never
                // has a quoted name followed by ':'
                Object json = JsonText.parse(text);
                if (json instanceof Map<?, ?> map) {
                    return fromJson(map);
                }
            }
            return parseText(text);
        }
        if (spec instanceof Map<?, ?> map) {
            return fromJson(map);
        }
        throw DagException.invalid("dag", spec == null
                ? "is missing" : "must be dagitty text or an object with nodes and edges", null);
    }

    /** A DAG from dagitty text. */
    public static Dag parseText(String text) {
        return new TextParser(text).parse();
    }

    /** A DAG from the JSON form, as parsed into Maps, Lists and Strings. */
    public static Dag fromJson(Map<?, ?> json) {
        for (Object key : json.keySet()) {
            if (!Set.of("nodes", "edges", "bidirected", "latent").contains(key)) {
                throw DagException.invalid("dag", "unknown key \"" + key
                        + "\" (expected nodes, edges, bidirected, latent)", null);
            }
        }
        if (!json.containsKey("nodes")) {
            throw DagException.invalid("dag", "nodes is required in the JSON form", null);
        }
        List<String> nodes = strings(json.get("nodes"), "nodes");
        List<Edge> edges = pairs(json.get("edges"), "edges");
        List<Edge> bidirected = pairs(json.get("bidirected"), "bidirected");
        List<String> latent = json.get("latent") == null ? List.of() : strings(json.get("latent"), "latent");
        return Dag.build(nodes, edges, bidirected, latent, List.of(), List.of());
    }

    private static List<String> strings(Object value, String key) {
        if (!(value instanceof List<?> list)) {
            throw DagException.invalid("dag", key + " must be a list of node names", null);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isEmpty()) {
                throw DagException.invalid("dag", key + "[" + i + "] must be a non-empty node name", null);
            }
            out.add(s);
        }
        return out;
    }

    private static List<Edge> pairs(Object value, String key) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw DagException.invalid("dag", key + " must be a list of [from, to] pairs", null);
        }
        List<Edge> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof List<?> pair) || pair.size() != 2
                    || !(pair.get(0) instanceof String a) || !(pair.get(1) instanceof String b)) {
                throw DagException.invalid("dag", key + "[" + i + "] must be a pair of node names [from, to]", null);
            }
            out.add(new Edge(a, b));
        }
        return out;
    }

    /**
     * How deeply groups ({@code {A {B C}}}) may nest: the reader descends once per level, so the
     * depth is bounded here rather than by the thread's stack (dagitty graphs nest one or two).
     */
    static final int MAX_NESTING = 64;

    /**
     * Recursive descent over dagitty text, its depth bounded by {@link #MAX_NESTING} (statements
     * follow one another in a loop); positions are kept for error messages.
     */
    private static final class TextParser {

        private enum Type { NAME, OP, LBRACE, RBRACE, LBRACKET, RBRACKET, EQUALS, COMMA, END }

        private record Token(Type type, String text, int offset) {
        }

        private final String src;
        private final List<Token> tokens = new ArrayList<>();
        private int pos;

        private final Set<String> nodes = new LinkedHashSet<>();
        private final Set<String> latent = new LinkedHashSet<>();
        private final Set<String> exposures = new LinkedHashSet<>();
        private final Set<String> outcomes = new LinkedHashSet<>();
        private final List<Edge> edges = new ArrayList<>();
        private final List<Edge> bidirected = new ArrayList<>();
        private int nesting;

        TextParser(String src) {
            this.src = src;
        }

        Dag parse() {
            tokenize();
            Token first = peek();
            if (first.type == Type.NAME && isGraphHeader()) {
                String type = first.text.toLowerCase(Locale.ROOT);
                if (!type.equals("dag") && !type.equals("digraph")) {
                    throw error(first, "graph type '" + first.text + "' is not supported (only dag)");
                }
                pos++;
                if (peek().type == Type.NAME) {
                    pos++; // a graph name, as in "digraph G { ... }"
                }
                expect(Type.LBRACE, "'{'");
                statements(Type.RBRACE, null);
                expect(Type.RBRACE, "'}'");
            } else {
                statements(Type.END, null);
            }
            expect(Type.END, "the end of the text");
            return Dag.build(new ArrayList<>(nodes), edges, bidirected, latent,
                    new ArrayList<>(exposures), new ArrayList<>(outcomes));
        }

        /** "dag {", "dag G {" (not a node called dag in a bare statement list). */
        private boolean isGraphHeader() {
            String w = peek().text.toLowerCase(Locale.ROOT);
            if (!Set.of("dag", "digraph", "graph", "pdag", "mag", "pag").contains(w)) {
                return false;
            }
            Type next = tokens.get(pos + 1).type;
            return next == Type.LBRACE
                    || (next == Type.NAME && tokens.get(pos + 2).type == Type.LBRACE);
        }

        /** Statements up to (not including) the closing token; names met are added to {@code touched}. */
        private void statements(Type until, Set<String> touched) {
            while (peek().type != until && peek().type != Type.END) {
                statement(touched);
            }
            if (until == Type.RBRACE && peek().type == Type.END) {
                throw error(peek(), "expected '}' before the end of the text");
            }
        }

        private void statement(Set<String> touched) {
            Token t = peek();
            if (t.type == Type.NAME && tokens.get(pos + 1).type == Type.EQUALS) {
                pos += 2; // a graph option such as bb="0,0,1,1": layout only
                expectName("a value after '='");
                return;
            }
            List<String> left = operand(touched);
            applyNodeAttributes(left, attributes());
            while (peek().type == Type.OP) {
                Token op = next();
                if (peek().type != Type.NAME && peek().type != Type.LBRACE) {
                    throw error(peek(), "expected a node name or '{' after '" + op.text + "', found " + describe(peek()));
                }
                List<String> right = operand(touched);
                for (String a : left) {
                    for (String b : right) {
                        switch (op.text) {
                            case "->" -> edges.add(new Edge(a, b));
                            case "<-" -> edges.add(new Edge(b, a));
                            default -> bidirected.add(new Edge(a, b));
                        }
                    }
                }
                left = right;
                if (peek().type == Type.LBRACKET) {
                    List<String[]> more = attributes();
                    if (peek().type == Type.OP) {
                        applyNodeAttributes(right, more);
                    }
                    // otherwise they are the edge's attributes (path coefficients, ...): not used
                }
            }
        }

        private List<String> operand(Set<String> touched) {
            Token t = peek();
            if (t.type == Type.LBRACE) {
                if (++nesting > MAX_NESTING) {
                    throw error(t, "groups nested more than " + MAX_NESTING + " deep");
                }
                pos++;
                Set<String> group = new LinkedHashSet<>();
                statements(Type.RBRACE, group);
                expect(Type.RBRACE, "'}'");
                nesting--;
                if (touched != null) {
                    touched.addAll(group);
                }
                return new ArrayList<>(group);
            }
            String name = expectName("a node name").text;
            nodes.add(name);
            if (touched != null) {
                touched.add(name);
            }
            return List.of(name);
        }

        private List<String[]> attributes() {
            List<String[]> out = new ArrayList<>();
            if (peek().type != Type.LBRACKET) {
                return out;
            }
            pos++;
            while (peek().type != Type.RBRACKET) {
                String key = expectName("an attribute name").text;
                String value = null;
                if (peek().type == Type.EQUALS) {
                    pos++;
                    value = expectName("an attribute value").text;
                }
                out.add(new String[]{key, value});
                if (peek().type == Type.COMMA) {
                    pos++;
                }
            }
            pos++;
            return out;
        }

        private void applyNodeAttributes(List<String> targets, List<String[]> attrs) {
            for (String[] kv : attrs) {
                String key = kv[0].toLowerCase(Locale.ROOT);
                switch (key) {
                    case "latent", "l" -> latent.addAll(targets);
                    case "exposure", "e" -> exposures.addAll(targets);
                    case "outcome", "o" -> outcomes.addAll(targets);
                    default -> {
                        // pos, label, adjusted, selected, ...: layout or dagitty features not used here
                    }
                }
            }
        }

        private Token expectName(String what) {
            Token t = peek();
            if (t.type != Type.NAME) {
                throw error(t, "expected " + what + ", found " + describe(t));
            }
            pos++;
            return t;
        }

        private void expect(Type type, String what) {
            Token t = peek();
            if (t.type != type) {
                throw error(t, "expected " + what + ", found " + describe(t));
            }
            pos++;
        }

        private Token peek() {
            return tokens.get(pos);
        }

        private Token next() {
            return tokens.get(pos++);
        }

        private static String describe(Token t) {
            return t.type == Type.END ? "the end of the text" : "'" + t.text + "'";
        }

        private DagException error(Token t, String message) {
            return errorAt(t.offset, message);
        }

        private DagException errorAt(int offset, String message) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < offset && i < src.length(); i++) {
                if (src.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return DagException.syntax(message, line, col);
        }

        private void tokenize() {
            int i = 0;
            int n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (Character.isWhitespace(c) || c == ';') {
                    i++;
                    continue;
                }
                int start = i;
                if (src.startsWith("<->", i) || src.startsWith("->", i) || src.startsWith("<-", i)) {
                    if (src.startsWith("<-@", i)) {
                        throw errorAt(i, "edge type '<-@' is not supported in a DAG");
                    }
                    String op = src.startsWith("<->", i) ? "<->" : src.startsWith("->", i) ? "->" : "<-";
                    tokens.add(new Token(Type.OP, op, start));
                    i += op.length();
                } else if (src.startsWith("--", i) || c == '@') {
                    String op = src.substring(i, Math.min(n, i + 3)).trim();
                    throw errorAt(i, "edge type '" + op + "' is not supported in a DAG (use ->, <- or <->)");
                } else if (c == '{') {
                    tokens.add(new Token(Type.LBRACE, "{", i++));
                } else if (c == '}') {
                    tokens.add(new Token(Type.RBRACE, "}", i++));
                } else if (c == '[') {
                    tokens.add(new Token(Type.LBRACKET, "[", i++));
                } else if (c == ']') {
                    tokens.add(new Token(Type.RBRACKET, "]", i++));
                } else if (c == '=') {
                    tokens.add(new Token(Type.EQUALS, "=", i++));
                } else if (c == ',') {
                    tokens.add(new Token(Type.COMMA, ",", i++));
                } else if (c == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw errorAt(start, "unterminated string");
                        }
                        char d = src.charAt(i);
                        if (d == '\\' && i + 1 < n) {
                            sb.append(src.charAt(i + 1));
                            i += 2;
                        } else if (d == '"') {
                            i++;
                            break;
                        } else {
                            sb.append(d);
                            i++;
                        }
                    }
                    if (sb.length() == 0) {
                        throw errorAt(start, "empty name \"\"");
                    }
                    tokens.add(new Token(Type.NAME, sb.toString(), start));
                } else if (isWordChar(c) || (c == '-' && i + 1 < n && isWordChar(src.charAt(i + 1)))) {
                    i++;
                    while (i < n && isWordChar(src.charAt(i))) {
                        i++;
                    }
                    tokens.add(new Token(Type.NAME, src.substring(start, i), start));
                } else {
                    throw errorAt(i, "unexpected character '" + c + "'");
                }
            }
            for (int k = 0; k < 3; k++) {
                tokens.add(new Token(Type.END, "", n));
            }
        }

        private static boolean isWordChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '.';
        }
    }
}
