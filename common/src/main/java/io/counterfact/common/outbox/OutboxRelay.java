package io.counterfact.common.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The relay of a transactional outbox, framework-free: publishes a service's {@code outbox} table to Kafka in id
 * order, then marks what was published. One relay at a time across all pods of a service (a PostgreSQL advisory
 * lock held for the duration of a pass), so per-key order holds. A record goes to the partition its key hashes to,
 * unless its row names a {@code partition_slot}: then to partition {@code slot mod partitions} (see {@link
 * OutboxRows#insertJsonSpread}), which spreads work items such as estimation commands evenly over the partitions.
 * A service wakes its relay ({@link #wake}) after each transaction it commits, so an event leaves as soon as it is
 * committed; a woken relay that finds another pod's relay holding the lock looks again in 20 ms, and a starting one
 * looks at once. The poll interval is only the fallback for rows no wake-up announced: those of a pod that died
 * between its commit and its wake-up.
 * The producer is idempotent with acks=all and retries for as long as a broker outage lasts (up to
 * {@code delivery.timeout.ms}): an outage delays events and loses none. A crash between send and mark re-publishes
 * that pass; consumers drop the duplicate by event id (their inbox).
 *
 * <p>The table each service migrates (extra columns are allowed, e.g. for a {@link PayloadResolver}):
 * <pre>
 * CREATE TABLE outbox (
 *     id            bigserial   PRIMARY KEY,
 *     event_id      uuid        NOT NULL UNIQUE,
 *     topic         text        NOT NULL,
 *     record_key    text        NOT NULL,
 *     event_type    text        NOT NULL,
 *     payload       bytea,                              -- null only when a PayloadResolver supplies it
 *     headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,  -- Kafka headers, name to UTF-8 string
 *     partition_slot bigint,                             -- null: the partition of the key's hash
 *     created_at    timestamptz NOT NULL DEFAULT now(),
 *     published_at  timestamptz
 * );
 * CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
 * </pre>
 * Rows are written by {@link OutboxRows} (or a service's own writer) on the connection of the state change.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** What a pass returns when another pod's relay holds the lock. */
    private static final int LOCKED_ELSEWHERE = -1;
    /** How soon a relay that found the lock taken looks again (a pass takes milliseconds). */
    private static final long LOCK_RETRY_MILLIS = 20;

    /**
     * Supplies the value of a row whose {@code payload} is null (a large value stored elsewhere, e.g. ingestion's
     * row groups), read on the pass's connection. Each call counts against {@link Settings#resolvedPerPass()}.
     */
    @FunctionalInterface
    public interface PayloadResolver {
        byte[] resolve(Connection connection, ResultSet row) throws SQLException;
    }

    /**
     * @param name            the producer's client id and the relay thread's name
     * @param lockKey         the advisory lock key: one relay per database at a time
     * @param pollInterval    how long an idle relay waits for a {@link #wake} before it looks anyway
     * @param passSize        rows read per pass
     * @param resolvedPerPass at most this many resolved (large) values per pass: bounds the bytes in flight
     */
    public record Settings(String name, long lockKey, Duration pollInterval, int passSize, int resolvedPerPass) {

        /** "outbox" in ASCII: each service has its own database, so one key suffices. */
        public static final long DEFAULT_LOCK = 0x6f7574626f78L;

        public static Settings defaults(String name, Duration pollInterval) {
            return new Settings(name, DEFAULT_LOCK, pollInterval, 256, 32);
        }
    }

    private static final PayloadResolver NO_RESOLVER = (c, row) -> {
        throw new IllegalStateException("outbox row " + row.getLong("id") + " has no payload and no resolver");
    };

    private final DataSource dataSource;
    private final Settings settings;
    private final PayloadResolver resolver;
    private final Producer<String, byte[]> producer;
    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean running;
    private Thread worker;
    /** At most one pending wake-up: those that come during a pass ask for one more pass, not one each. */
    private final Semaphore wakeUps = new Semaphore(0);

    public OutboxRelay(DataSource dataSource, Producer<String, byte[]> producer, Settings settings,
                       PayloadResolver resolver) {
        this.dataSource = Objects.requireNonNull(dataSource);
        this.producer = Objects.requireNonNull(producer);
        this.settings = Objects.requireNonNull(settings);
        this.resolver = resolver == null ? NO_RESOLVER : resolver;
    }

    /** The producer configuration a relay needs (idempotent, acks=all, waits out outages for 30 minutes). */
    public static Map<String, Object> producerConfig(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /** A relay with its own producer built from {@link #producerConfig} plus {@code overrides}. */
    public static OutboxRelay create(DataSource dataSource, String bootstrapServers, Map<String, Object> overrides,
                                     Settings settings, PayloadResolver resolver) {
        Map<String, Object> config = producerConfig(bootstrapServers, settings.name());
        if (overrides != null) {
            config.putAll(overrides);
        }
        return new OutboxRelay(dataSource, new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()),
                settings, resolver);
    }

    /** Starts the relay's thread (a daemon). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        worker = new Thread(this::loop, settings.name());
        worker.setDaemon(true);
        worker.start();
    }

    /** Stops the thread (waiting up to 10 s for the current pass) and closes the producer. */
    @Override
    public synchronized void close() {
        running = false;
        if (worker != null) {
            worker.interrupt();
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
    }

    /**
     * Asks for a pass now instead of at the next poll: call it after committing a transaction that may have written
     * outbox rows (before the commit the pass would not see them). Does not block; costs an idle relay one pass.
     */
    public void wake() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    private void loop() {
        while (running) {
            try {
                // wake-ups from before this pass are answered by it; those that come during it get another
                wakeUps.drainPermits();
                int published = pass();
                if (published == 0) {
                    wakeUps.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                } else if (published == LOCKED_ELSEWHERE) {
                    // another pod's relay is in a pass that may have read the outbox before our rows committed:
                    // look again shortly rather than at the next poll
                    Thread.sleep(Math.min(LOCK_RETRY_MILLIS, settings.pollInterval().toMillis()));
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

    /** One pass: publishes up to {@code passSize} unpublished rows if this relay holds the lock. @return how many */
    public int publishPass() throws Exception {
        return Math.max(0, pass());
    }

    /** {@link #publishPass}, telling "another relay holds the lock" ({@link #LOCKED_ELSEWHERE}) from "nothing to do". */
    private int pass() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!tryLock(c)) {
                    c.rollback();
                    return LOCKED_ELSEWHERE;
                }
                List<Long> published = new ArrayList<>();
                List<Future<RecordMetadata>> sends = new ArrayList<>();
                int resolved = 0;
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT * FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?")) {
                    s.setInt(1, settings.passSize());
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next() && resolved < settings.resolvedPerPass()) {
                            byte[] value = rs.getBytes("payload");
                            if (value == null) {
                                value = resolver.resolve(c, rs);
                                resolved++;
                            }
                            String topic = rs.getString("topic");
                            long slot = rs.getLong("partition_slot");
                            Integer partition = rs.wasNull() ? null : partitionOfSlot(topic, slot);
                            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, partition,
                                    rs.getString("record_key"), value);
                            String headersJson = rs.getString("headers");
                            if (headersJson != null && !headersJson.isBlank()) {
                                Map<String, String> headers = json.readValue(headersJson, new TypeReference<>() {
                                });
                                headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                            }
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

    /**
     * The slot's partition among the topic's partitions as the broker has them now (the producer's metadata, so a
     * topic given more partitions is spread over all of them). A row's partition does not depend on when it is sent:
     * a row published again after a crash lands where its first copy did, as a keyed record would.
     */
    private int partitionOfSlot(String topic, long slot) {
        return (int) Math.floorMod(slot, (long) producer.partitionsFor(topic).size());
    }

    private boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            s.setLong(1, settings.lockKey());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
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
