package io.counterfact.gateway.stream;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open {@code GET /api/views/events} of a client. Its response belongs to the event loop that accepted the
 * connection ({@code context}); the hub hands it frames through that context, in order. A client that does not read
 * fast enough (its connection's write queue is full) is dropped: the gateway never buffers for it without end, and
 * the client resumes with {@code Last-Event-ID} when it reads again.
 */
final class StreamClient {

    /** Events held for a client while its stream's first answer (the estimation's current state) is fetched. */
    static final int MAX_HELD = 1000;
    /** How long an EventSource waits before it reconnects (the browser's default is about 3 s). */
    private static final String RETRY = "retry: 2000\n\n";

    final StreamFilter filter;
    final Context context;
    private final HttpServerResponse response;
    private final Runnable onDrop;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Hub context only: not null while the first answer is fetched. */
    List<ViewChangeEvent> held;

    StreamClient(StreamFilter filter, Context context, HttpServerResponse response, Runnable onDrop) {
        this.filter = filter;
        this.context = context;
        this.response = response;
        this.onDrop = onDrop;
    }

    /** Hub context: holds events until {@link #release} (the first answer is being fetched). */
    void hold() {
        held = new ArrayList<>();
    }

    /** Hub context: whether an event for this client is to be sent now (false: held, or the client dropped). */
    boolean deliverNow(ViewChangeEvent event) {
        if (held == null) {
            return true;
        }
        if (held.size() < MAX_HELD) {
            held.add(event);
        } else {
            held = null;
            close(); // only if query-service takes ages to answer the first read; the client resumes
        }
        return false;
    }

    /** Hub context: sends {@code first}, then what was held. */
    void release(List<ViewChangeEvent> first) {
        List<ViewChangeEvent> all = new ArrayList<>(first);
        if (held != null) {
            all.addAll(held);
        }
        held = null;
        send(all);
    }

    /**
     * Any thread: answers the request (200, text/event-stream) if not done yet. Deferred until the hub knows where
     * the feed stands, so that every change committed after a client saw its 200 reaches it.
     */
    void open() {
        context.runOnContext(v -> head());
    }

    private void head() {
        if (closed.get() || response.headWritten()) {
            return;
        }
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no"); // nginx-style proxies: do not buffer the stream
        response.write(RETRY);
    }

    /** Any thread: writes the frames on the client's context. */
    void send(List<ViewChangeEvent> events) {
        if (events.isEmpty() || closed.get()) {
            return;
        }
        context.runOnContext(v -> events.forEach(e -> write(e.frame())));
    }

    /** The client's context: one frame, or drop the client if it stopped reading. */
    void write(String frame) {
        if (closed.get()) {
            return;
        }
        head();
        if (response.writeQueueFull()) {
            onDrop.run();
            close();
            return;
        }
        response.write(frame);
    }

    boolean closed() {
        return closed.get();
    }

    /** Any thread: ends the client's connection (its close handler detaches it from the hub). */
    void close() {
        if (closed.compareAndSet(false, true)) {
            context.runOnContext(v -> {
                if (!response.closed()) {
                    response.reset();
                }
            });
        }
    }

    void markClosed() {
        closed.set(true);
    }
}
