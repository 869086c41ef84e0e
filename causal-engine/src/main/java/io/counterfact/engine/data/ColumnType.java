package io.counterfact.engine.data;

import java.util.Locale;

/** The type of a dataset column, as declared in the dataset's schema. */
public enum ColumnType {
    /** Finite numbers; NaN is missing. */
    NUMERIC,
    /** 0/1; NaN is missing. */
    BINARY,
    /** Integer codes into a list of levels; −1 is missing. */
    CATEGORICAL;

    /** The API's spelling ({@code numeric}, {@code binary}, {@code categorical}), or null if unknown. */
    public static ColumnType parse(String value) {
        if (value == null) {
            return null;
        }
        for (ColumnType t : values()) {
            if (t.name().equalsIgnoreCase(value.trim())) {
                return t;
            }
        }
        return null;
    }

    /** The API's spelling. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
