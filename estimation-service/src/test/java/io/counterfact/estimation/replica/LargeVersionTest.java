package io.counterfact.estimation.replica;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.counterfact.common.chunks.Checksums;
import io.counterfact.common.chunks.ColumnType;
import io.counterfact.common.chunks.RowGroupBuilder;
import io.counterfact.engine.data.Column;
import io.counterfact.engine.data.DataFrame;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 1,000,000-row x 22-column version (~176 MB in ~340 row groups of ~512 KB) through Kafka into the replica and into
 * a DataFrame, timed. Opt-in (minutes on a small machine): {@code -Dcounterfact.large=true}.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "counterfact.large", matches = "true")
class LargeVersionTest {

    private static final Logger LOG = Logger.getLogger(LargeVersionTest.class);
    static final int ROWS = Integer.getInteger("counterfact.large.rows", 1_000_000);
    static final int NUMERIC = 20;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    ObjectMapper json;

    @Inject
    ReplicaStore store;

    static double numeric(int r, int c) {
        return (r + c) % 97 == 0 ? Double.NaN : ((r * 31L + c * 7L) % 10_007) / 10.0 - 500;
    }

    static double binary(int r) {
        return r % 89 == 0 ? Double.NaN : r % 2;
    }

    static String level(int r) {
        return r % 101 == 0 ? null : "L" + ((r * 13L) % 50);
    }

    @Test
    void aMillionRowsByTwentyTwoColumnsReplicateAndLoad() throws Exception {
        List<Fixtures.Col> columns = new ArrayList<>();
        for (int c = 0; c < NUMERIC; c++) {
            columns.add(new Fixtures.Col("x" + c, ColumnType.NUMERIC));
        }
        columns.add(new Fixtures.Col("t", ColumnType.BINARY));
        columns.add(new Fixtures.Col("g", ColumnType.CATEGORICAL));
        String ds = Fixtures.datasetId();
        UUID batch = UUID.randomUUID();
        RowGroupBuilder builder = new RowGroupBuilder(columns.stream().map(Fixtures.Col::type).toList());
        MessageDigest digest = Checksums.sha256();
        long started = System.nanoTime();
        int groups = 0;
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = Fixtures.producer(bootstrap)) {
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < NUMERIC; c++) {
                    builder.setNumeric(c, numeric(r, c));
                }
                double t = binary(r);
                builder.setBinary(NUMERIC, Double.isNaN(t) ? -1 : (int) t);
                builder.setCategorical(NUMERIC + 1, level(r));
                builder.endRow();
                if (builder.isFull() || r == ROWS - 1) {
                    byte[] encoded = builder.encode();
                    digest.update(encoded);
                    bytes += encoded.length;
                    producer.send(Fixtures.chunk(ds, batch, groups++, 1, encoded));
                    builder.reset();
                }
            }
            Fixtures.Batch ref = new Fixtures.Batch(batch, ROWS, new ArrayList<>(java.util.Collections.nCopies(groups, new byte[0])),
                    digest.digest());
            ObjectNode commit = Fixtures.commit(json, ds, 1, Fixtures.checksum(null, List.of(ref)), columns, List.of(ref));
            producer.send(Fixtures.event(json, commit)).get();
        }
        long produced = System.nanoTime();
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> store.find(ds, 1).map(ReplicaVersion::isTerminal).orElse(false));
        long ready = System.nanoTime();
        assertEquals(ReplicaVersion.Status.READY, store.find(ds, 1).orElseThrow().status());

        System.gc();
        long loadStart = System.nanoTime();
        DataFrame frame = store.load(ds, 1);
        long loaded = System.nanoTime();
        assertSame(frame, store.load(ds, 1));
        long cached = System.nanoTime();

        String report = String.format("1M x 22 version: %d row groups, %.1f MB; produced in %d ms; READY %d ms after the "
                        + "last record was produced (%d ms after the first); loaded into a DataFrame in %d ms; cached load %d us",
                groups, bytes / 1e6, ms(produced - started), ms(ready - produced), ms(ready - started), ms(loaded - loadStart),
                (cached - loaded) / 1_000);
        LOG.info(report);
        System.out.println(report);

        assertEquals(ROWS, frame.rowCount());
        for (int c = 0; c < NUMERIC; c++) {
            double[] v = frame.column("x" + c).values();
            for (int r = 0; r < ROWS; r++) {
                double e = numeric(r, c);
                assertTrue(Double.compare(e, v[r]) == 0, "x" + c + " row " + r);
            }
        }
        double[] t = frame.column("t").values();
        Column g = frame.column("g");
        assertEquals(50, g.levels().size());
        List<String> sorted = new ArrayList<>(g.levels());
        sorted.sort(null);
        assertEquals(sorted, g.levels());
        for (int r = 0; r < ROWS; r++) {
            assertTrue(Double.compare(binary(r), t[r]) == 0, "t row " + r);
            String level = level(r);
            int code = g.codes()[r];
            assertEquals(level, code < 0 ? null : g.levels().get(code));
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
