package io.counterfact.gateway.config;

import io.counterfact.common.auth.Role;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Everything the gateway reads from configuration ({@code counterfact.*}); application.properties documents each key
 * and the environment variable that sets it.
 */
@ConfigMapping(prefix = "counterfact")
public interface GatewayConfig {

    Routes routes();

    Auth auth();

    Internal internal();

    RateLimit rateLimit();

    /** The largest request body each kind of route accepts; past it 413 (see {@code routing.BodyKind}). */
    BodyLimits bodyLimits();

    /**
     * How long the gateway keeps reading (and discarding) a request body it has already refused, so that the client
     * reads the error instead of a connection reset, before it closes the connection.
     */
    @WithDefault("5s")
    Duration rejectLinger();

    Upstream upstream();

    CircuitBreaker circuitBreaker();

    /** The live view changes ({@code GET /api/views/events}), fanned out by the gateway's {@code stream.ViewChangeHub}. */
    Streams streams();

    /** Base URLs of the services behind the gateway. */
    interface Routes {
        URI ingestion();

        URI estimation();

        URI query();
    }

    interface Auth {
        /** The analyst key (reads and writes). */
        String analystToken();

        /** The viewer key (reads only). */
        String viewerToken();

        /** Further keys by name: {@code counterfact.auth.keys.<name>.token} and {@code .role}. */
        Map<String, Key> keys();

        interface Key {
            String token();

            @WithDefault("viewer")
            Role role();
        }
    }

    interface Internal {
        /** HMAC secret shared with the services (at least 16 characters). */
        String secret();

        /** Lifetime of the internal token the gateway issues for each proxied request. */
        @WithDefault("60s")
        Duration tokenTtl();
    }

    interface RateLimit {
        /** Sustained requests per second allowed per key (the token bucket's refill rate). */
        double requestsPerSecond();

        /** Requests a key may make at once above the sustained rate (the bucket's capacity). */
        int burst();

        /** Per-key overrides: {@code counterfact.rate-limit.keys.<name>.requests-per-second} and {@code .burst}. */
        Map<String, KeyLimit> keys();

        interface KeyLimit {
            OptionalDouble requestsPerSecond();

            OptionalInt burst();
        }
    }

    /**
     * Bytes per request body, by kind of route: past it 413, at once for a declared {@code Content-Length}, as soon
     * as the limit is passed for a body of no declared length.
     */
    interface BodyLimits {
        /** Every route but the row uploads: dataset registration, estimation commands, DAG analysis... */
        long json();

        /** {@code POST /api/datasets/{id}/rows}: CSV or NDJSON, streamed to ingestion-service. */
        long rows();
    }

    interface Upstream {
        /** Time allowed to open a TCP connection to a service; past it 504. */
        Duration connectTimeout();

        /**
         * Time allowed from the end of the request body to the response headers; past it the upstream request is
         * aborted and the client gets 504. Not applied to the response body (server-sent events may idle).
         */
        Duration responseTimeout();

        /** A connection to a service with no traffic either way for this long is closed (a stalled upload too). */
        Duration idleTimeout();

        /** Connections per service (HTTP/1.1 pool). */
        int maxConnections();

        /** Requests that may wait for a pooled connection; past it 503. */
        int maxWaitQueue();
    }

    interface CircuitBreaker {
        /** Consecutive failures (unreachable, timeout, 502/503/504) that open a service's circuit. */
        int failureThreshold();

        /** How long an open circuit refuses calls (503) before it lets one trial call through. */
        Duration openDuration();
    }

    interface Streams {
        /** Streams one key may have open on one gateway pod; past it 429. */
        int perKey();

        /** Changes kept for clients that resume with Last-Event-ID (and asked of query-service when the feed opens). */
        int replayBuffer();

        /** A heartbeat to every client this often; the feed from query-service is re-opened after 3 silent ones. */
        Duration heartbeat();

        /** How long the feed stays open after the last client left. */
        Duration feedLinger();

        /** How long a new client waits for the feed (query-service away) before it is answered anyway. */
        Duration feedWait();
    }
}
