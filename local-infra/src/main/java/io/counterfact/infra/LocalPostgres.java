package io.counterfact.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (the binaries ship inside the zonky Maven jars), started without Docker.
 * Runs as root too: zonky drops to an unprivileged user itself.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private volatile EmbeddedPostgres server;
    private final Path dataDirectory;

    private LocalPostgres(EmbeddedPostgres server, Path dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
    }

    /**
     * @param dataDirectory where the cluster lives; {@code null} for a throw-away directory
     * @param port          0 for a free port
     */
    public static LocalPostgres start(Path dataDirectory, int port) {
        return new LocalPostgres(startServer(dataDirectory, port), dataDirectory);
    }

    private static EmbeddedPostgres startServer(Path dataDirectory, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off") // a local/test server: durability across power loss is not needed
                    .setServerConfig("synchronous_commit", "off");
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                stopLeftoverServer(dataDirectory);
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL", e);
        }
    }

    /**
     * A previous run killed without its shutdown hook (SIGKILL, a crash) leaves its postmaster running on the same
     * data directory, which would make this start fail: stop it first.
     */
    private static void stopLeftoverServer(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!java.nio.file.Files.exists(pidFile)) {
            return;
        }
        String first = java.nio.file.Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            ProcessHandle.of(Long.parseLong(first)).ifPresent(p -> {
                p.destroy();
                p.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
            });
        } catch (NumberFormatException | java.util.concurrent.CompletionException e) {
            // not a pid, or it would not stop in time: let the start report what is wrong
        }
        java.nio.file.Files.deleteIfExists(pidFile);
    }

    /**
     * Stops the server (fast shutdown: every client connection is cut, open transactions roll back), waits
     * {@code downtime}, and starts it again on the same port and data: a database restart or fail-over as the
     * services see it. Needs a server started with a data directory.
     */
    public synchronized void restart(java.time.Duration downtime) {
        if (dataDirectory == null) {
            throw new IllegalStateException("a throw-away PostgreSQL cannot be restarted: start it with a data directory");
        }
        int port = port();
        close();
        try {
            Thread.sleep(downtime.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = startServer(dataDirectory, port);
    }

    public int port() {
        return server.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** Creates the database unless it exists (idempotent, so a second ./run.sh on the same data works). */
    public void createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name must be a plain identifier: " + name);
        }
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            // CREATE DATABASE cannot take a bound parameter; the name is checked against a plain-identifier pattern above.
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
