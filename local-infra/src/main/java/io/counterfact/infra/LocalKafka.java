package io.counterfact.infra;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, combined broker and controller) in a forked JVM, from the kafka_2.13 jars on this
 * process's class path. Forked rather than in-process so that Scala and the broker's own dependencies never meet
 * the application's class loaders, and so that a test can stop and restart the broker (an outage) at will.
 */
public final class LocalKafka implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private final int controllerPort;
    private final Path config;
    private Process process;

    private LocalKafka(Path dataDirectory, int port, int controllerPort) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.config = dataDirectory.resolve("server.properties");
    }

    /**
     * Formats the storage (first time only) and starts the broker, waiting until it answers.
     *
     * @param dataDirectory where the logs live; {@code null} for a throw-away directory
     * @param port          the client port; 0 for a free one
     */
    public static LocalKafka start(Path dataDirectory, int port) {
        try {
            Path dir = dataDirectory != null ? dataDirectory : Files.createTempDirectory("counterfact-kafka");
            Files.createDirectories(dir);
            LocalKafka kafka = new LocalKafka(dir, port > 0 ? port : freePort(), freePort());
            kafka.writeConfig();
            kafka.formatIfNeeded();
            kafka.startBroker();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka", e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Creates the topics that do not exist yet, each with the given number of partitions (replication factor 1). */
    public void createTopics(Map<String, Integer> partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            var missing = partitions.entrySet().stream()
                    .filter(e -> !existing.contains(e.getKey()))
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + partitions.keySet(), e);
        }
    }

    /** Stops the broker process, keeping its data: {@link #restart()} brings the same broker back (an outage). */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * SIGKILL: the broker dies where it is (a crashed broker), nothing flushed or handed over; {@link #restart()}
     * brings it back on the same port and data directory, recovering its logs.
     */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public void restart() {
        stop();
        startBroker();
    }

    @Override
    public void close() {
        stop();
    }

    private void writeConfig() throws IOException {
        String logs = dataDirectory.resolve("logs").toAbsolutePath().toString();
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logs,
                "num.partitions=3",
                "default.replication.factor=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "min.insync.replicas=1",
                "auto.create.topics.enable=true",
                "group.initial.rebalance.delay.ms=0",
                "message.max.bytes=4194304",
                "log.flush.interval.messages=9223372036854775807",
                "");
        Files.writeString(config, properties, StandardCharsets.UTF_8);
    }

    private void formatIfNeeded() throws IOException {
        if (Files.exists(dataDirectory.resolve("logs").resolve("meta.properties"))) {
            return;
        }
        Process format = new ProcessBuilder(javaCommand("kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dataDirectory.resolve("format.log").toFile())
                .start();
        try {
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException("kafka storage format failed, see " + dataDirectory.resolve("format.log")
                        + ": " + Files.readString(dataDirectory.resolve("format.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void startBroker() {
        try {
            List<String> command = javaCommand(KafkaBrokerMain.class.getName(),
                    Long.toString(ProcessHandle.current().pid()), config.toString());
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("broker.log").toFile()))
                    .start();
            awaitReady(Duration.ofSeconds(90));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + ", see "
                        + dataDirectory.resolve("broker.log"));
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                sleep(300);
            }
        }
        throw new IllegalStateException("Kafka did not become ready in " + timeout, last);
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1"); // faster start-up; throughput of a test broker is not the bottleneck
        command.add("-Dlog4j2.configurationFile=" + writeLog4jConfig());
        command.add("-cp");
        command.add(brokerClassPath());
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private static String writeLog4jConfig() {
        try {
            Path file = Files.createTempFile("counterfact-kafka-log4j2", ".properties");
            Files.writeString(file, String.join("\n",
                    "rootLogger.level=WARN",
                    "rootLogger.appenderRef.stdout.ref=STDOUT",
                    "appender.stdout.type=Console",
                    "appender.stdout.name=STDOUT",
                    "appender.stdout.layout.type=PatternLayout",
                    "appender.stdout.layout.pattern=[%d] %p %m (%c)%n", ""));
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * This module's own classes (for {@link KafkaBrokerMain}) plus the broker's jars as listed at build time; a test
     * JVM's {@code java.class.path} is not used because under Quarkus it does not hold the broker's jars.
     */
    private static String brokerClassPath() {
        try (var in = LocalKafka.class.getResourceAsStream("broker.classpath")) {
            if (in == null) {
                throw new IllegalStateException("broker.classpath missing: build local-infra with Maven");
            }
            String jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            String self = Path.of(LocalKafka.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            return self + java.io.File.pathSeparator + jars;
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot build the broker's class path", e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
