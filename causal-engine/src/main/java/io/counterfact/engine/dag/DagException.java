package io.counterfact.engine.dag;

import io.counterfact.engine.InvalidSpecException;

/**
 * A DAG or a treatment/outcome that cannot be analysed. The message names what is at fault (the
 * node, the edge closing a cycle, or the line and column of a syntax error) so a service can pass
 * it on as a 400's detail; {@link #field()} names the request field ({@code dag}, {@code treatment}
 * or {@code outcome}). An {@link InvalidSpecException}, so the engine's callers handle it as any
 * other invalid request.
 */
public class DagException extends InvalidSpecException {

    /** What went wrong. */
    public enum Kind {
        /** The dagitty text does not parse. */
        SYNTAX,
        /** The directed edges form a cycle. */
        CYCLE,
        /** An edge, treatment or outcome names a node the DAG does not declare. */
        UNKNOWN_NODE,
        /** Anything else about the specification (wrong JSON shape, latent treatment, ...). */
        INVALID
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;
    private final String node;
    private final Edge edge;
    private final int line;
    private final int column;

    DagException(String field, Kind kind, String message, String node, Edge edge, int line, int column) {
        super(field, field + ": " + message);
        this.kind = kind;
        this.node = node;
        this.edge = edge;
        this.line = line;
        this.column = column;
    }

    static DagException syntax(String message, int line, int column) {
        return new DagException("dag", Kind.SYNTAX,
                "syntax error at line " + line + ", column " + column + ": " + message, null, null, line, column);
    }

    static DagException cycle(String message, Edge closing) {
        return new DagException("dag", Kind.CYCLE, message, null, closing, 0, 0);
    }

    static DagException unknownNode(String field, String message, String node) {
        return new DagException(field, Kind.UNKNOWN_NODE, message, node, null, 0, 0);
    }

    static DagException invalid(String field, String message, String node) {
        return new DagException(field, Kind.INVALID, message, node, null, 0, 0);
    }

    public Kind kind() {
        return kind;
    }

    /** The node at fault, or null. */
    public String node() {
        return node;
    }

    /** For a cycle, the edge (in declaration order) that closes it; otherwise null. */
    public Edge edge() {
        return edge;
    }

    /** For a syntax error, the 1-based line; otherwise 0. */
    public int line() {
        return line;
    }

    /** For a syntax error, the 1-based column; otherwise 0. */
    public int column() {
        return column;
    }
}
