package io.counterfact.systemtests;

import io.counterfact.common.auth.InternalToken;
import io.counterfact.common.auth.Role;
import io.counterfact.common.events.Topics;
import io.counterfact.infra.LocalKafka;
import io.counterfact.infra.LocalPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole back end on this machine, as production runs it: a real PostgreSQL with a database per service, a real
 * Kafka broker with the topics as declared ({@link Topics#PARTITIONS}), and the packaged services as separate
 * processes on free ports, started with the environment {@code ./run.sh} gives them (prod profile). Everything it
 * started is ended by {@link #close()}, which a JVM shutdown hook also calls.
 */
public final class Suite implements AutoCloseable {

    public static final List<String> DATABASES = List.of("ingestion", "estimation", "query");

    private final Path root;
    private final Path work;
    private final String secret;
    private final LocalPostgres postgres;
    private final LocalKafka kafka;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private Suite(Path root, Path work, String secret, LocalPostgres postgres, LocalKafka kafka) {
        this.root = root;
        this.work = work;
        this.secret = secret;
        this.postgres = postgres;
        this.kafka = kafka;
        this.shutdownHook = new Thread(this::close, "system-suite-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts PostgreSQL and Kafka on free ports, data under {@code work}.
     *
     * @param root the repository root (where the service modules are)
     */
    public static Suite start(Path root, Path work) {
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        // a data directory of its own (not a throw-away one) so that a test can restart the server on the same data
        LocalPostgres postgres = LocalPostgres.start(work.resolve("postgres-" + System.currentTimeMillis()), 0);
        LocalKafka kafka;
        try {
            kafka = LocalKafka.start(work.resolve("kafka-" + System.currentTimeMillis()), 0);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
        Suite suite = new Suite(root.toAbsolutePath().normalize(), work.toAbsolutePath(), HexFormat.of().formatHex(key),
                postgres, kafka);
        try {
            DATABASES.forEach(postgres::createDatabase);
            kafka.createTopics(Topics.PARTITIONS); // declared partition counts, as KafkaTestResource and production
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
        return suite;
    }

    /** The repository root given by -Dcounterfact.root, else the parent of the working directory's system-tests. */
    public static Path rootFromEnvironment() {
        String given = System.getProperty("counterfact.root");
        if (given != null) {
            return Path.of(given).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        return Files.isDirectory(cwd.resolve("system-tests")) ? cwd : cwd.getParent();
    }

    public Path work() {
        return work;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), LocalPostgres.USER, LocalPostgres.PASSWORD);
    }

    /** The shared secret the services verify the gateway's internal token with (random per suite). */
    public String internalSecret() {
        return secret;
    }

    /** An internal token as the gateway would issue it, for calling a service directly. */
    public String analystAuthorization() {
        return "Bearer " + InternalToken.issue(secret, "system-test", Role.ANALYST, null, Duration.ofHours(2));
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment ./run.sh gives a service that owns {@code database} (null: none, the gateway). */
    public Map<String, String> serviceEnvironment(String database) {
        Map<String, String> env = new LinkedHashMap<>();
        if (database != null) {
            env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(database));
            env.put("QUARKUS_DATASOURCE_USERNAME", LocalPostgres.USER);
            env.put("QUARKUS_DATASOURCE_PASSWORD", LocalPostgres.PASSWORD);
        }
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        env.put("COUNTERFACT_INTERNAL_SECRET", secret);
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        return env;
    }

    /** What a service needs: its module, the database it owns, and how to run it. */
    public static final class Spec {
        final String module;
        final String name;
        final String database;
        final Map<String, String> env = new LinkedHashMap<>();
        final List<String> prefix = new ArrayList<>();
        final List<String> jvmArgs = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmx512m"));

        private Spec(String module, String name, String database) {
            this.module = module;
            this.name = name;
            this.database = database;
        }

        public static Spec of(String module, String name) {
            String db = module.endsWith("-service") ? module.substring(0, module.length() - "-service".length()) : null;
            return new Spec(module, name, db);
        }

        /** The gateway in front of the three services, as ./run.sh wires it (its API keys still to be set). */
        public static Spec gateway(ServiceProcess ingestion, ServiceProcess estimation, ServiceProcess query) {
            return of("gateway", "gateway")
                    .env("COUNTERFACT_INGESTION_URL", ingestion.baseUrl())
                    .env("COUNTERFACT_ESTIMATION_URL", estimation.baseUrl())
                    .env("COUNTERFACT_QUERY_URL", query.baseUrl());
        }

        public Spec env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Spec env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        /** Runs the JVM under e.g. {@code taskset -c 0}. */
        public Spec prefix(String... words) {
            prefix.addAll(List.of(words));
            return this;
        }

        public Spec jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }
    }

    /** The broker, for a test that kills and restarts it (same port, same data). */
    public LocalKafka kafka() {
        return kafka;
    }

    /** The database server, for a test that restarts it (same port, same data). */
    public LocalPostgres postgres() {
        return postgres;
    }

    /** Starts a service on a free port (does not wait for it: {@link ServiceProcess#awaitReady}). */
    public synchronized ServiceProcess start(Spec spec) {
        return start(spec, freePort());
    }

    /**
     * Starts a service on {@code port}: e.g. a killed one again where the gateway expects it (as a pod's Service
     * name stays). Does not wait for it.
     */
    public synchronized ServiceProcess start(Spec spec, int port) {
        if (closed) {
            throw new IllegalStateException("suite closed");
        }
        Map<String, String> env = serviceEnvironment(spec.database);
        env.putAll(spec.env);
        ServiceProcess p = ServiceProcess.start(root, spec.module, spec.name, port, env, spec.prefix, spec.jvmArgs,
                work.resolve("logs"));
        processes.add(p);
        return p;
    }

    public synchronized List<ServiceProcess> processes() {
        return List.copyOf(processes);
    }

    /** The tail of every service's log, for a failure report. */
    public synchronized String tails(int lines) {
        StringBuilder b = new StringBuilder();
        for (ServiceProcess p : processes) {
            b.append("\n----- ").append(p).append(p.isAlive() ? "" : " (exited)").append(", ").append(p.log())
                    .append(" -----\n").append(p.tail(lines)).append('\n');
        }
        return b.toString();
    }

    /** Kills every service it started, then stops Kafka and PostgreSQL. Idempotent. */
    @Override
    public void close() {
        List<ServiceProcess> toEnd;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toEnd = List.copyOf(processes);
        }
        for (ServiceProcess p : toEnd) {
            try {
                p.destroy();
            } catch (RuntimeException e) {
                System.err.println("could not end " + p + ": " + e);
            }
        }
        try {
            kafka.close();
        } catch (RuntimeException e) {
            System.err.println("could not stop Kafka: " + e);
        }
        try {
            postgres.close();
        } catch (RuntimeException e) {
            System.err.println("could not stop PostgreSQL: " + e);
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already
            }
        }
    }
}
