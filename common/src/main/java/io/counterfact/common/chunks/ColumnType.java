package io.counterfact.common.chunks;

import java.util.Locale;

/** A dataset column's type as the public API names it ({@code numeric}, {@code binary}, {@code categorical}). */
public enum ColumnType {
    NUMERIC, BINARY, CATEGORICAL;

    /** The API's lower-case name. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the type, or {@code null} if {@code name} is not one */
    public static ColumnType fromApiName(String name) {
        if (name == null) {
            return null;
        }
        for (ColumnType t : values()) {
            if (t.apiName().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
