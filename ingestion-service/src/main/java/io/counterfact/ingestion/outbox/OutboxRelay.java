package io.counterfact.ingestion.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Publishes the outbox to Kafka in id order, then marks what was published. One relay at a time across all
 * ingestion pods (a PostgreSQL advisory lock held for the duration of a pass), so per-key order holds. The producer
 * is idempotent with acks=all and retries for as long as a broker outage lasts (up to {@code delivery.timeout.ms}):
 * an outage delays events and loses none. A crash between send and mark re-publishes that pass; consumers drop
 * the duplicate by event id (their inbox).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long RELAY_LOCK = 0x6f7574626f78L; // "outbox"
    private static final int PASS_SIZE = 256;
    /** Bounds the row-group bytes in flight: row groups are read one by one, at most this many per pass. */
    private static final int CHUNKS_PER_PASS = 32;

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "counterfact.outbox.poll-interval", defaultValue = "PT0.1S")
    Duration pollInterval;

    private volatile boolean running;
    private Thread worker;
    private KafkaProducer<String, byte[]> producer;

    void start(@Observes StartupEvent event) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis(),
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "ingestion-outbox-relay"),
                new StringSerializer(), new ByteArraySerializer());
        running = true;
        worker = new Thread(this::loop, "outbox-relay");
        worker.setDaemon(true);
        worker.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void loop() {
        while (running) {
            try {
                if (publishPass() == 0) {
                    Thread.sleep(pollInterval.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("outbox relay pass failed, retrying: %s", e.toString());
                    sleepQuietly(1000);
                }
            }
        }
    }

    /** @return how many events this pass published */
    int publishPass() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!tryLock(c)) {
                    c.rollback();
                    return 0;
                }
                List<Long> published = new ArrayList<>();
                List<Future<RecordMetadata>> sends = new ArrayList<>();
                int chunks = 0;
                try (PreparedStatement s = c.prepareStatement("SELECT o.id, o.topic, o.record_key, o.payload, o.headers, "
                        + "o.batch_id, o.row_group FROM outbox o WHERE o.published_at IS NULL ORDER BY o.id LIMIT ?")) {
                    s.setInt(1, PASS_SIZE);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next() && chunks < CHUNKS_PER_PASS) {
                            byte[] value = rs.getBytes("payload");
                            if (value == null) {
                                value = rowGroup(c, (java.util.UUID) rs.getObject("batch_id"), rs.getInt("row_group"));
                                chunks++;
                            }
                            ProducerRecord<String, byte[]> record = new ProducerRecord<>(rs.getString("topic"),
                                    rs.getString("record_key"), value);
                            Map<String, String> headers = json.readValue(rs.getString("headers"), new TypeReference<>() {
                            });
                            headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                            sends.add(producer.send(record));
                            published.add(rs.getLong("id"));
                        }
                    }
                }
                for (Future<RecordMetadata> send : sends) {
                    send.get(); // waits out a broker outage: the idempotent producer retries without duplicating
                }
                markPublished(c, published);
                c.commit();
                return published.size();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            s.setLong(1, RELAY_LOCK);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static byte[] rowGroup(Connection c, java.util.UUID batch, int index) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT payload FROM row_group WHERE batch_id = ? AND idx = ?")) {
            s.setObject(1, batch);
            s.setInt(2, index);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("outbox points at a missing row group " + batch + "/" + index);
                }
                return rs.getBytes(1);
            }
        }
    }

    private static void markPublished(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE outbox SET published_at = now() WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            s.executeUpdate();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
