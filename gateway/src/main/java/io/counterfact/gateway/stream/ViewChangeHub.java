package io.counterfact.gateway.stream;

import io.counterfact.common.auth.InternalToken;
import io.counterfact.common.auth.Role;
import io.counterfact.gateway.config.GatewayConfig;
import io.counterfact.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's side of the live view changes: ONE stream from query-service per gateway pod (the feed), fanned
 * out to every client of this pod, each through its own filter. So open client streams cost query-service nothing
 * and never take a connection of the pool that ordinary requests use (they once did, and a hundred idle streams
 * froze every read).
 *
 * <p>Everything here but {@link #attach}/{@link #detach}'s callers runs on one Vert.x context (the hub's), so the
 * feed's events, the replay buffer and the clients' registration are ordered without locks: a client that attaches
 * gets what it missed (from the {@link ReplayBuffer}) and then every later change, once each, in order. Frames are
 * written on each client's own event loop, one task per event loop per change.
 *
 * <p>The feed is opened when the first client comes and closed a while after the last one leaves; it is re-opened
 * with back-off when it breaks (query-service restarted, a network blip) with {@code Last-Event-ID}, so that
 * clients see no gap and need not reconnect: they get heartbeats meanwhile.
 */
@Singleton
public class ViewChangeHub {

    private static final Logger LOG = Logger.getLogger(ViewChangeHub.class);
    private static final String EVENTS_PATH = "/api/views/events";
    private static final int MAX_LINE = 64 * 1024;
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 5_000;

    private enum Feed { CLOSED, CONNECTING, OPEN }

    private final Vertx vertx;
    private final GatewayConfig config;
    private final GatewayConfig.Streams settings;
    private final String basePath;
    private final RequestOptions target;
    private final HttpClient feedClient;
    private final HttpClient readClient;
    private final ReplayBuffer buffer;
    private final Context hub;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> openPerKey = new java.util.concurrent.ConcurrentHashMap<>();

    // the hub's context only
    private final Map<Context, Set<StreamClient>> clients = new HashMap<>();
    private final Map<StreamClient, Long> awaitingFeed = new HashMap<>();
    private int attached;
    private Feed feed = Feed.CLOSED;
    private HttpClientRequest feedRequest;
    private long lastFeedData;
    private long backoffMs = MIN_BACKOFF_MS;
    private long reconnectTimer = -1;
    private long lingerTimer = -1;
    private boolean warned;
    private boolean stopped;

    public ViewChangeHub(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.settings = config.streams();
        URI base = config.routes().query();
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.target = new RequestOptions().setHost(base.getHost()).setPort(port).setSsl(tls);
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) config.upstream().connectTimeout().toMillis())
                .setSsl(tls)
                .setName("gateway-view-feed");
        // the feed: one long-lived connection, its silence watched by the hub (no idle timeout of the client's)
        this.feedClient = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(1));
        // the estimations' current state for new clients that follow one: short reads, their own small pool
        this.readClient = vertx.createHttpClient(new HttpClientOptions(options).setName("gateway-view-reads")
                .setIdleTimeout((int) config.upstream().idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS), new PoolOptions().setHttp1MaxSize(4)
                .setMaxWaitQueueSize(1000));
        this.buffer = new ReplayBuffer(settings.replayBuffer());
        this.hub = vertx.getOrCreateContext();
        metrics.streams(open::get);
        long heartbeatMs = settings.heartbeat().toMillis();
        hub.runOnContext(v -> vertx.setPeriodic(heartbeatMs, heartbeatMs, id -> tick()));
    }

    /** Streams this pod has open (all keys). */
    public int open() {
        return open.get();
    }

    /**
     * Counts a new stream of {@code key} against its limit: false (nothing counted) if the key has its maximum open.
     * Each true must be followed by exactly one {@link #release}.
     */
    public boolean admit(String key) {
        AtomicInteger count = openPerKey.computeIfAbsent(key, k -> new AtomicInteger());
        if (count.incrementAndGet() > settings.perKey()) {
            count.decrementAndGet();
            return false;
        }
        open.incrementAndGet();
        return true;
    }

    public void release(String key) {
        AtomicInteger count = openPerKey.get(key);
        if (count != null) {
            count.decrementAndGet();
        }
        open.decrementAndGet();
    }

    public int perKeyLimit() {
        return settings.perKey();
    }

    /**
     * Starts a client's stream: what it missed since {@code lastEventId} (if not null) or, following one
     * estimation, its current state; then every change it asked for.
     */
    void attach(StreamClient client, Long lastEventIdOrNull) {
        long lastEventId = lastEventIdOrNull == null ? ViewChangeEvent.NO_ID : lastEventIdOrNull;
        hub.runOnContext(v -> {
            if (client.closed() || stopped) {
                client.close();
                return;
            }
            cancelLinger();
            attached++;
            if (buffer.ready()) {
                start(client, lastEventId);
            } else {
                // the feed has not said where it stands yet: the client waits (its 200 too, see StreamClient.open),
                // unless the feed takes long (query-service away): then it is answered and gets heartbeats meanwhile
                awaitingFeed.put(client, lastEventId);
                vertx.setTimer(settings.feedWait().toMillis(), id -> {
                    if (awaitingFeed.containsKey(client)) {
                        client.open();
                    }
                });
            }
            ensureFeed();
        });
    }

    /** Hub context, the feed ready: what the client missed or its first answer, then it is registered for more. */
    private void start(StreamClient client, long lastEventId) {
        client.open();
        if (lastEventId != ViewChangeEvent.NO_ID) {
            client.send(matching(client, buffer.after(lastEventId)));
            register(client);
        } else if (client.filter.estimationId() != null) {
            register(client);
            client.hold();
            currentState(client);
        } else {
            register(client);
        }
    }

    void detach(StreamClient client) {
        hub.runOnContext(v -> {
            boolean wasAwaiting = awaitingFeed.remove(client) != null;
            Set<StreamClient> group = clients.get(client.context);
            boolean wasRegistered = group != null && group.remove(client);
            if (group != null && group.isEmpty()) {
                clients.remove(client.context);
            }
            if (wasAwaiting || wasRegistered) {
                attached--;
            }
            if (attached == 0) {
                scheduleLinger();
            }
        });
    }

    private void register(StreamClient client) {
        clients.computeIfAbsent(client.context, c -> new LinkedHashSet<>()).add(client);
    }

    private static List<ViewChangeEvent> matching(StreamClient client, List<ViewChangeEvent> events) {
        List<ViewChangeEvent> wanted = new ArrayList<>();
        for (ViewChangeEvent e : events) {
            if (client.filter.matches(e)) {
                wanted.add(e);
            }
        }
        return wanted;
    }

    /** Hub context: an event to every registered client that wants it, one task per event loop. */
    private void fanOut(ViewChangeEvent event) {
        String frame = event.frame();
        for (Map.Entry<Context, Set<StreamClient>> group : clients.entrySet()) {
            List<StreamClient> targets = new ArrayList<>();
            for (StreamClient client : group.getValue()) {
                if (client.filter.matches(event) && client.deliverNow(event)) {
                    targets.add(client);
                }
            }
            if (!targets.isEmpty()) {
                group.getKey().runOnContext(v -> targets.forEach(c -> c.write(frame)));
            }
        }
    }

    private void tick() {
        String frame = ViewChangeEvent.HEARTBEAT.frame();
        for (Map.Entry<Context, Set<StreamClient>> group : clients.entrySet()) {
            List<StreamClient> targets = new ArrayList<>(group.getValue());
            group.getKey().runOnContext(v -> targets.forEach(c -> c.write(frame)));
        }
        for (StreamClient waiting : awaitingFeed.keySet()) {
            waiting.send(List.of(ViewChangeEvent.HEARTBEAT)); // answered already (feedWait), still no feed
        }
        long silence = settings.heartbeat().toMillis() * 3;
        if (feed == Feed.OPEN && System.currentTimeMillis() - lastFeedData > silence) {
            LOG.warnf("the view-change feed from query-service was silent for %d ms: reconnecting", silence);
            resetFeed();
            feedLost("silent");
        }
    }

    // --- the feed ------------------------------------------------------------------------------------------------

    private void ensureFeed() {
        if (feed == Feed.CLOSED && reconnectTimer < 0 && !stopped) {
            connect();
        }
    }

    private void connect() {
        reconnectTimer = -1;
        if (attached == 0 || stopped) {
            return;
        }
        feed = Feed.CONNECTING;
        String uri = basePath + EVENTS_PATH + (buffer.ready() ? "" : "?tail=" + settings.replayBuffer());
        RequestOptions options = new RequestOptions(target).setMethod(HttpMethod.GET).setURI(uri)
                .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + internalToken())
                .putHeader(HttpHeaders.ACCEPT, "text/event-stream");
        if (buffer.ready()) {
            options.putHeader("Last-Event-ID", Long.toString(buffer.newest()));
        }
        feedClient.request(options).compose(request -> {
            feedRequest = request;
            return request.send();
        }).onComplete(answer -> {
            if (answer.failed()) {
                feedLost(answer.cause().toString());
            } else if (answer.result().statusCode() != 200) {
                answer.result().body().onComplete(ignored -> { });
                feedLost("answered " + answer.result().statusCode());
            } else {
                opened(answer.result());
            }
        });
    }

    private void opened(HttpClientResponse response) {
        feed = Feed.OPEN;
        lastFeedData = System.currentTimeMillis();
        if (warned) {
            LOG.infof("the view-change feed from query-service is back (resuming after %d)", buffer.newest());
        }
        warned = false;
        backoffMs = MIN_BACKOFF_MS;
        SseParser parser = new SseParser(MAX_LINE, this::feedEvent);
        RecordParser lines = RecordParser.newDelimited("\n", response).maxRecordSize(MAX_LINE);
        lines.exceptionHandler(e -> {
            resetFeed();
            feedLost(e.toString());
        });
        lines.handler((Buffer line) -> {
            lastFeedData = System.currentTimeMillis();
            try {
                parser.line(line.toString(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                resetFeed();
                feedLost(e.getMessage());
            }
        });
        lines.endHandler(v -> feedLost("ended"));
    }

    private void feedEvent(String id, String data) {
        ViewChangeEvent event;
        try {
            event = ViewChangeEvent.parse(id, data);
        } catch (IllegalArgumentException e) {
            LOG.warnf("a view change from query-service the gateway cannot read, skipped: %s", e.getMessage());
            return;
        }
        switch (event.kind()) {
            case "heartbeat" -> { }
            case "position" -> {
                if (buffer.ready() && event.seq() < buffer.newest()) {
                    // query-service's ids started again (its database rebuilt): clients read the views again
                    LOG.warnf("the view-change feed went back from %d to %d: clients are told to read the views "
                            + "again", buffer.newest(), event.seq());
                    buffer.restart(event.seq());
                    fanOut(ViewChangeEvent.reset(event.seq()));
                } else {
                    buffer.knownUpTo(event.seq());
                }
                answerAwaiting();
            }
            case "reset" -> {
                // query-service could not replay all the feed missed: every client should read the views again
                buffer.gap(event.seq());
                ViewChangeEvent reset = ViewChangeEvent.reset(buffer.newest());
                fanOut(reset);
                answerAwaiting();
            }
            default -> {
                // while the feed warms the buffer (the newest changes, before its position event), nothing is new
                // to the clients
                if (buffer.add(event) && buffer.ready()) {
                    fanOut(event);
                }
            }
        }
    }

    private void answerAwaiting() {
        if (!buffer.ready() || awaitingFeed.isEmpty()) {
            return;
        }
        Map<StreamClient, Long> waiting = new HashMap<>(awaitingFeed);
        awaitingFeed.clear();
        waiting.forEach(this::start);
    }

    private void resetFeed() {
        if (feedRequest != null) {
            feedRequest.reset();
        }
    }

    private void feedLost(String reason) {
        if (feed == Feed.CLOSED) {
            return;
        }
        feed = Feed.CLOSED;
        feedRequest = null;
        if (stopped || attached == 0) {
            return;
        }
        if (!warned) {
            LOG.warnf("the view-change feed from query-service broke (%s): clients stay connected; reconnecting "
                    + "with back-off", reason);
            warned = true;
        } else {
            LOG.debugf("the view-change feed from query-service is still away (%s)", reason);
        }
        long delay = backoffMs;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        reconnectTimer = vertx.setTimer(delay, id -> connect());
    }

    private void scheduleLinger() {
        cancelLinger();
        lingerTimer = vertx.setTimer(Math.max(1, settings.feedLinger().toMillis()), id -> {
            lingerTimer = -1;
            if (attached == 0 && feed != Feed.CLOSED && feedRequest != null) {
                LOG.debug("no stream open: the view-change feed is closed until the next one");
                HttpClientRequest request = feedRequest;
                feed = Feed.CLOSED;
                feedRequest = null;
                request.reset();
            }
        });
    }

    private void cancelLinger() {
        if (lingerTimer >= 0) {
            vertx.cancelTimer(lingerTimer);
            lingerTimer = -1;
        }
    }

    // --- the current state of one estimation (a new client that follows it) -----------------------------------

    private void currentState(StreamClient client) {
        String id = client.filter.estimationId();
        RequestOptions options = new RequestOptions(target).setMethod(HttpMethod.GET)
                .setURI(basePath + "/api/estimations/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
                        .replace("+", "%20"))
                .setTimeout(config.upstream().responseTimeout().toMillis())
                .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + internalToken())
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        readClient.request(options).compose(request -> request.send()
                        .compose(response -> response.body().map(body -> response.statusCode() == 200 ? body : null)))
                .onComplete(answer -> hub.runOnContext(v -> {
                    List<ViewChangeEvent> first = new ArrayList<>(1);
                    if (answer.succeeded() && answer.result() != null) {
                        try {
                            first.add(currentStateEvent(answer.result().toJsonObject()));
                        } catch (RuntimeException e) {
                            LOG.debugf("the current state of estimation %s could not be read: %s", id, e);
                        }
                    }
                    client.release(first);
                }));
    }

    static ViewChangeEvent currentStateEvent(JsonObject view) {
        JsonObject change = new JsonObject().put("kind", "estimation").put("id", view.getString("id"));
        if (view.getString("datasetId") != null) {
            change.put("datasetId", view.getString("datasetId"));
        }
        change.put("status", view.getString("status"));
        JsonObject progress = view.getJsonObject("progress");
        if (progress != null && progress.getValue("fraction") != null) {
            change.put("fraction", progress.getDouble("fraction"));
        }
        // no id: the current state is not a change of the feed, and must not move the client's Last-Event-ID
        return new ViewChangeEvent(ViewChangeEvent.NO_ID, "estimation", view.getString("id"),
                view.getString("datasetId"), change.encode());
    }

    private String internalToken() {
        return InternalToken.issue(config.internal().secret(), "gateway", Role.VIEWER, null,
                config.internal().tokenTtl());
    }

    @PreDestroy
    void stop() {
        hub.runOnContext(v -> {
            stopped = true;
            clients.values().forEach(group -> group.forEach(StreamClient::close));
            awaitingFeed.keySet().forEach(StreamClient::close);
            if (feedRequest != null) {
                feedRequest.reset();
            }
        });
        feedClient.close();
        readClient.close();
    }
}
