package io.counterfact.common.auth;

/** What a caller may do: an analyst reads and writes, a viewer only reads. */
public enum Role {
    ANALYST, VIEWER;

    public boolean mayWrite() {
        return this == ANALYST;
    }
}
