package io.counterfact.ingestion.rows;

import io.counterfact.ingestion.dataset.ColumnSpec;
import io.counterfact.ingestion.dataset.Schema;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Not a test: times the CSV and NDJSON readers (parse, validate, encode row groups; no database) over a generated
 * ~50 MB body held in memory, to compare reader changes. Run from ingestion-service with the test classpath:
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.counterfact.ingestion.rows.ReaderThroughput
 * </pre>
 * ({@code ../mvnw -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt} writes the classpath.)
 */
public final class ReaderThroughput {

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        Schema schema = Schema.of(List.of(new ColumnSpec("y", "numeric"), new ColumnSpec("t", "binary"),
                new ColumnSpec("region", "categorical"), new ColumnSpec("x1", "numeric"), new ColumnSpec("x2", "numeric"),
                new ColumnSpec("city", "categorical")));
        byte[] csv = body(megabytes, true);
        byte[] ndjson = body(megabytes, false);
        for (int round = 0; round < 5; round++) {
            time("csv", csv, () -> new CsvRowReader(schema, (i, r, p) -> { }));
            time("ndjson", ndjson, () -> new NdjsonRowReader(schema, (i, r, p) -> { }));
        }
    }

    private static void time(String what, byte[] body, java.util.function.Supplier<RowReader> reader) throws Exception {
        // CPU time of this thread as well as wall time: on a shared machine the wall time mostly measures the others
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        RowReader.Summary summary = reader.get().read(new ByteArrayInputStream(body));
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.printf("%-7s %,d rows  %.1f MB  wall %.2f s  cpu %.2f s  %.0f MB per cpu-s%n", what, summary.rows(),
                body.length / 1e6, seconds, cpu, body.length / 1e6 / cpu);
    }

    private static byte[] body(int megabytes, boolean csv) {
        Random random = new Random(1);
        String[] regions = {"north", "south", "east", "west", "Zürich", "São Paulo", "東京"};
        ByteArrayOutputStream out = new ByteArrayOutputStream(megabytes * 1_100_000);
        if (csv) {
            out.writeBytes("y,t,region,x1,x2,city\n".getBytes(StandardCharsets.UTF_8));
        }
        while (out.size() < megabytes * 1_000_000) {
            String region = regions[random.nextInt(regions.length)];
            String city = "city" + random.nextInt(500);
            String line = csv
                    ? random.nextGaussian() + "," + random.nextInt(2) + "," + region + "," + random.nextGaussian()
                    + "," + random.nextInt(1000) + "," + city + "\n"
                    : "{\"y\": " + random.nextGaussian() + ", \"t\": " + random.nextInt(2) + ", \"region\": \"" + region
                    + "\", \"x1\": " + random.nextGaussian() + ", \"x2\": " + random.nextInt(1000) + ", \"city\": \""
                    + city + "\"}\n";
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
