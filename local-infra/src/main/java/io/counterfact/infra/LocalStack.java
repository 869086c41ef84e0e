package io.counterfact.infra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.counterfact.common.events.Topics;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * What {@code ./run.sh} starts before the services: one PostgreSQL with a database per service and one Kafka broker,
 * both keeping their data under the given work folder so that a second start finds them again. Writes
 * {@code stack.env} (shell variables the services are started with) and prints {@code READY} when both answer.
 * Stops both on SIGINT/SIGTERM.
 *
 * <p>Usage: {@code LocalStack <workDir> <postgresPort> <kafkaPort> <database>...}
 */
public final class LocalStack {

    private LocalStack() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path work = Path.of(args[0]).toAbsolutePath();
        int postgresPort = Integer.parseInt(args[1]);
        int kafkaPort = Integer.parseInt(args[2]);
        List<String> databases = List.of(args).subList(3, args.length);
        Files.createDirectories(work);

        LocalPostgres postgres = LocalPostgres.start(work.resolve("postgres"), postgresPort);
        LocalKafka kafka;
        try {
            kafka = LocalKafka.start(work.resolve("kafka"), kafkaPort);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            postgres.close();
            stopped.countDown();
        }, "local-stack-shutdown"));

        StringBuilder env = new StringBuilder();
        for (String database : databases) {
            postgres.createDatabase(database);
            env.append("JDBC_URL_").append(database.toUpperCase()).append('=').append(postgres.jdbcUrl(database)).append('\n');
        }
        kafka.createTopics(Topics.PARTITIONS);
        env.append("POSTGRES_USER=").append(LocalPostgres.USER).append('\n');
        env.append("POSTGRES_PASSWORD=").append(LocalPostgres.PASSWORD).append('\n');
        env.append("KAFKA_BOOTSTRAP_SERVERS=").append(kafka.bootstrapServers()).append('\n');
        Files.writeString(work.resolve("stack.env"), env.toString(), StandardCharsets.UTF_8);
        System.out.println("READY postgres=" + postgres.port() + " kafka=" + kafka.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
