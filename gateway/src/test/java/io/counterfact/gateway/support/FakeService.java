package io.counterfact.gateway.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A stand-in for one service: a plain Vert.x HTTP server that records what it received (method, URI, headers, body
 * length and SHA-256, the first bytes, whether the body arrived whole or the request was aborted) without keeping
 * the body, and answers as told (by default 200 with a JSON echo).
 */
public final class FakeService {

    /** What one request brought. */
    public record Received(String method, String uri, MultiMap headers, long bytes, String sha256, String bodyStart,
                           boolean completed) {
    }

    /** How to answer a request whose body has fully arrived. */
    public interface Answer extends BiConsumer<HttpServerRequest, Received> {
    }

    private final String name;
    private final int port;
    private final Vertx vertx;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger arrivals = new AtomicInteger();
    private volatile Answer answer;
    private volatile HttpServer server;

    FakeService(String name, int port, Vertx vertx) {
        this.name = name;
        this.port = port;
        this.vertx = vertx;
        this.answer = echo();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public List<Received> received() {
        return received;
    }

    /** The only request received since the last reset (waits for it to be recorded). */
    public Received single() {
        Await.until(() -> !received.isEmpty(), Duration.ofSeconds(10), name + " received nothing");
        if (received.size() != 1) {
            throw new AssertionError(name + " received " + received.size() + " requests: " + received);
        }
        return received.get(0);
    }

    /** Requests whose headers have arrived (their bodies may still be on the way). */
    public int arrivals() {
        return arrivals.get();
    }

    public void answer(Answer answer) {
        this.answer = answer;
    }

    public void reset() {
        received.clear();
        arrivals.set(0);
        answer = echo();
    }

    /** Listens (again) on its port. */
    public void start() {
        if (server != null) {
            return;
        }
        HttpServer s = vertx.createHttpServer().requestHandler(this::handle);
        try {
            s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " could not listen on " + port, e);
        }
        server = s;
    }

    /** Stops listening: connections to it are refused. */
    public void stop() {
        HttpServer s = server;
        server = null;
        if (s != null) {
            try {
                s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void handle(HttpServerRequest request) {
        arrivals.incrementAndGet();
        MessageDigest sha = sha256();
        long[] bytes = {0};
        StringBuilder start = new StringBuilder();
        boolean[] ended = {false};
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
        request.handler(chunk -> {
            bytes[0] += chunk.length();
            sha.update(chunk.getByteBuf().nioBuffer());
            if (start.length() < 4096) {
                start.append(chunk.getString(0, Math.min(chunk.length(), 4096 - start.length())));
            }
        });
        Runnable aborted = () -> {
            if (!ended[0]) {
                ended[0] = true;
                received.add(new Received(request.method().name(), request.uri(), headers, bytes[0],
                        HexFormat.of().formatHex(sha.digest()), start.toString(), false));
            }
        };
        request.exceptionHandler(e -> aborted.run());
        request.connection().closeHandler(v -> aborted.run());
        request.endHandler(v -> {
            if (ended[0]) {
                return;
            }
            ended[0] = true;
            Received r = new Received(request.method().name(), request.uri(), headers, bytes[0],
                    HexFormat.of().formatHex(sha.digest()), start.toString(), true);
            received.add(r);
            answer.accept(request, r);
        });
    }

    /** 200 with {@code {"service", "method", "uri", "bytes", "sha256"}}. */
    public Answer echo() {
        return (request, r) -> request.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("service", name).put("method", r.method()).put("uri", r.uri())
                        .put("bytes", r.bytes()).put("sha256", r.sha256()).encode());
    }

    /** Answers with the echo only after {@code delay}. */
    public Answer slow(Duration delay) {
        Answer echo = echo();
        return (request, r) -> vertx.setTimer(delay.toMillis(), id -> {
            if (!request.response().closed()) {
                echo.accept(request, r);
            }
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
