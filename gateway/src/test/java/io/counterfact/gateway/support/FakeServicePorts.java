package io.counterfact.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Chooses three free ports for the fake services and points the gateway's routes at them; {@link FakeServices}
 * listens on them once the application has started.
 */
public class FakeServicePorts implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "counterfact.routes.ingestion", "http://127.0.0.1:" + freePort(),
                "counterfact.routes.estimation", "http://127.0.0.1:" + freePort(),
                "counterfact.routes.query", "http://127.0.0.1:" + freePort());
    }

    @Override
    public void stop() {
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
