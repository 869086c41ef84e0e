package io.counterfact.gateway.support;

import io.vertx.core.Vertx;
import org.eclipse.microprofile.config.ConfigProvider;

import java.net.URI;
import java.util.List;

/**
 * The three fake services, listening on the ports {@link FakeServicePorts} gave the gateway's routes. Started once
 * per application start (a new test profile means new ports, and new fakes).
 */
public final class FakeServices {

    private static FakeServices current;

    public final FakeService ingestion;
    public final FakeService estimation;
    public final FakeService query;
    private final Vertx vertx;
    private final List<Integer> ports;

    private FakeServices(List<Integer> ports) {
        this.ports = ports;
        this.vertx = Vertx.vertx();
        this.ingestion = new FakeService("ingestion-service", ports.get(0), vertx);
        this.estimation = new FakeService("estimation-service", ports.get(1), vertx);
        this.query = new FakeService("query-service", ports.get(2), vertx);
        all().forEach(FakeService::start);
    }

    /** The fakes for the running application, started and reset (default answers, nothing recorded). */
    public static synchronized FakeServices ready() {
        List<Integer> configured = List.of(port("ingestion"), port("estimation"), port("query"));
        if (current == null || !current.ports.equals(configured)) {
            if (current != null) {
                current.vertx.close();
            }
            current = new FakeServices(configured);
        }
        current.all().forEach(s -> {
            s.start();
            s.reset();
        });
        return current;
    }

    public List<FakeService> all() {
        return List.of(ingestion, estimation, query);
    }

    private static int port(String route) {
        return URI.create(ConfigProvider.getConfig().getValue("counterfact.routes." + route, String.class)).getPort();
    }
}
