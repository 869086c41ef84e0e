package io.counterfact.gateway.routing;

import io.counterfact.gateway.config.GatewayConfig;

import java.net.URI;

/** The services behind the gateway, by the name that appears in errors, logs and metrics. */
public enum Service {
    INGESTION("ingestion-service"),
    ESTIMATION("estimation-service"),
    QUERY("query-service");

    private final String serviceName;

    Service(String serviceName) {
        this.serviceName = serviceName;
    }

    public String serviceName() {
        return serviceName;
    }

    public URI baseUrl(GatewayConfig.Routes routes) {
        return switch (this) {
            case INGESTION -> routes.ingestion();
            case ESTIMATION -> routes.estimation();
            case QUERY -> routes.query();
        };
    }
}
