package io.counterfact.estimation.replica;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.counterfact.common.chunks.ColumnType;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Seeds the replica with a CSV test resource, produced as ingestion-service publishes a sealed version 1. */
public final class Seed {

    private Seed() {
    }

    /**
     * Publishes {@code resource} (a CSV with a header) as version 1 of a new dataset, binary columns as named.
     *
     * @return the dataset id
     */
    public static String csv(ObjectMapper json, String bootstrap, String resource, Set<String> binary) throws Exception {
        List<String[]> lines = new ArrayList<>();
        String[] header;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Seed.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            header = r.readLine().split(",");
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line.split(",", -1));
                }
            }
        }
        List<Fixtures.Col> cols = new ArrayList<>();
        double[][] numbers = new double[header.length][lines.size()];
        for (int c = 0; c < header.length; c++) {
            cols.add(new Fixtures.Col(header[c], binary.contains(header[c]) ? ColumnType.BINARY : ColumnType.NUMERIC));
            for (int row = 0; row < lines.size(); row++) {
                String v = lines.get(row)[c];
                numbers[c][row] = v.isEmpty() || v.equals("NA") ? Double.NaN : Double.parseDouble(v);
            }
        }
        Fixtures.Table table = new Fixtures.Table(cols, lines.size(), numbers, new String[header.length][]);
        return publish(json, bootstrap, table, 200);
    }

    /**
     * Publishes a generated dataset as version 1 of a new dataset: {@code rows} rows of a binary treatment {@code t}
     * (its propensity a logistic function of the covariates), an outcome {@code y} and numeric covariates
     * {@code x1..x4}, none missing: data any propensity method runs on, as slowly as its size makes it.
     *
     * @return the dataset id
     */
    public static String generated(ObjectMapper json, String bootstrap, int rows, long seed) throws Exception {
        java.util.Random random = new java.util.Random(seed);
        List<Fixtures.Col> cols = List.of(new Fixtures.Col("y", ColumnType.NUMERIC), new Fixtures.Col("t", ColumnType.BINARY),
                new Fixtures.Col("x1", ColumnType.NUMERIC), new Fixtures.Col("x2", ColumnType.NUMERIC),
                new Fixtures.Col("x3", ColumnType.NUMERIC), new Fixtures.Col("x4", ColumnType.NUMERIC));
        double[][] numbers = new double[cols.size()][rows];
        for (int r = 0; r < rows; r++) {
            double eta = 0;
            for (int c = 2; c < cols.size(); c++) {
                numbers[c][r] = random.nextGaussian();
                eta += 0.3 * numbers[c][r];
            }
            numbers[1][r] = random.nextDouble() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
            numbers[0][r] = 2 * numbers[1][r] + eta + random.nextGaussian();
        }
        Fixtures.Table table = new Fixtures.Table(cols, rows, numbers, new String[cols.size()][]);
        return publish(json, bootstrap, table, 8192);
    }

    /**
     * Publishes version 1 of a new dataset {@code y} (numeric), {@code t} (binary), {@code x} (numeric) and
     * {@code store} (categorical, {@code levels} levels, every one present: row r has level r mod levels), with
     * {@code y = 1 + 2t + x + store effect + noise}.
     *
     * @return the dataset id
     */
    public static String manyLevels(ObjectMapper json, String bootstrap, int rows, int levels, long seed) throws Exception {
        List<Fixtures.Col> cols = List.of(new Fixtures.Col("y", ColumnType.NUMERIC), new Fixtures.Col("t", ColumnType.BINARY),
                new Fixtures.Col("x", ColumnType.NUMERIC), new Fixtures.Col("store", ColumnType.CATEGORICAL));
        java.util.Random random = new java.util.Random(seed);
        double[][] numbers = new double[4][];
        String[][] text = new String[4][];
        numbers[0] = new double[rows];
        numbers[1] = new double[rows];
        numbers[2] = new double[rows];
        text[3] = new String[rows];
        for (int r = 0; r < rows; r++) {
            int store = r % levels;
            text[3][r] = String.format(java.util.Locale.ROOT, "s%05d", store);
            numbers[1][r] = random.nextInt(2);
            numbers[2][r] = random.nextGaussian();
            numbers[0][r] = 1 + 2 * numbers[1][r] + numbers[2][r] + (store % 13) * 0.1 + random.nextGaussian();
        }
        Fixtures.Table table = new Fixtures.Table(cols, rows, numbers, text);
        return publish(json, bootstrap, table, 4096);
    }

    /** Publishes {@code table} as version 1 of a new dataset (row groups of {@code rowGroupRows}, then the commit). */
    private static String publish(ObjectMapper json, String bootstrap, Fixtures.Table table, int rowGroupRows)
            throws Exception {
        Fixtures.Batch batch = Fixtures.batch(table, rowGroupRows);
        String ds = Fixtures.datasetId();
        try (KafkaProducer<String, byte[]> producer = Fixtures.producer(bootstrap)) {
            for (int g = 0; g < batch.rowGroups().size(); g++) {
                producer.send(Fixtures.chunk(ds, batch, g, 1)).get();
            }
            producer.send(Fixtures.event(json, Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(batch)),
                    table.columns(), List.of(batch)))).get();
        }
        return ds;
    }

    /** The columns of the NSW sample that are binary. */
    public static final Set<String> NSW_BINARY = Set.of("treat", "black", "hispan", "married", "nodegree", "u74", "u75");

}
