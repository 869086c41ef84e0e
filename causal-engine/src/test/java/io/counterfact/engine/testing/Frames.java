package io.counterfact.engine.testing;

import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Data frames for tests. */
public final class Frames {

    private static final Set<String> NSW_BINARY = Set.of("treat", "black", "hispan", "married", "nodegree", "u74", "u75");

    private Frames() {
    }

    /** The NSW sample with its 0/1 columns typed binary. */
    public static DataFrame nsw() {
        return DataFrame.of(nswColumns());
    }

    /** The NSW sample's columns, to add test columns to. */
    public static List<Column> nswColumns() {
        List<Column> cols = new ArrayList<>();
        for (Map.Entry<String, double[]> e : Reference.nsw().entrySet()) {
            cols.add(NSW_BINARY.contains(e.getKey()) ? Column.binary(e.getKey(), e.getValue())
                    : Column.numeric(e.getKey(), e.getValue()));
        }
        return cols;
    }

    /** The NSW sample plus the given columns. */
    public static DataFrame nswWith(Column... extra) {
        List<Column> cols = nswColumns();
        cols.addAll(List.of(extra));
        return DataFrame.of(cols);
    }

    /** A column of the NSW data. */
    public static double[] nsw(String name) {
        return Reference.nsw().get(name);
    }
}
