package io.counterfact.gateway.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request body on its way to a service, counted as it passes. Past {@code limit} bytes it stops forwarding and
 * fails the stream with {@link TooLargeException}: the proxy then resets the upstream request, so the service sees
 * an aborted request (a connection closed before the end of the chunked body), never a truncated but complete one.
 * Its end is reported to {@code onEnd} (the moment the service's answer is awaited from).
 */
final class LimitedBody implements ReadStream<Buffer> {

    /** The body ran past the limit. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(long limit) {
            super("request body exceeds " + limit + " bytes", null, false, false);
        }
    }

    private final ReadStream<Buffer> source;
    private final long limit;
    private final Runnable onOverflow;
    private final Runnable onEnd;
    private final Handler<Throwable> onSourceFailure;
    private Handler<Throwable> exceptionHandler;
    private long received;
    private boolean overflowed;

    LimitedBody(ReadStream<Buffer> source, long limit, Runnable onOverflow, Runnable onEnd,
                Handler<Throwable> onSourceFailure) {
        this.source = source;
        this.limit = limit;
        this.onOverflow = onOverflow;
        this.onEnd = onEnd;
        this.onSourceFailure = onSourceFailure;
    }

    long received() {
        return received;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        source.exceptionHandler(handler == null ? null : failure -> {
            onSourceFailure.handle(failure);
            handler.handle(failure);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        if (handler == null) {
            source.handler(null);
            return this;
        }
        source.handler(chunk -> {
            if (overflowed) {
                return;
            }
            received += chunk.length();
            if (received > limit) {
                overflowed = true;
                onOverflow.run();
                Handler<Throwable> failed = exceptionHandler;
                if (failed != null) {
                    failed.handle(new TooLargeException(limit));
                }
                return;
            }
            handler.handle(chunk);
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> handler) {
        source.endHandler(handler == null ? null : v -> {
            if (!overflowed) {
                onEnd.run();
                handler.handle(null);
            }
        });
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        source.pause();
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        source.resume();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        source.fetch(amount);
        return this;
    }
}
