package io.counterfact.gateway.support;

import io.counterfact.gateway.proxy.Upstreams;
import io.counterfact.gateway.ratelimit.RateLimiter;
import io.counterfact.gateway.resilience.CircuitBreaker;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared set-up of the gateway's @QuarkusTests: fresh fake services (started, default answers, nothing recorded),
 * closed circuits and full rate-limit buckets before each test, and the test profile's keys.
 */
public abstract class GatewayTestBase {

    public static final String ANALYST_KEY = "test-analyst-key";
    public static final String VIEWER_KEY = "test-viewer-key";
    public static final String LIMITED_KEY = "test-limited-key";
    public static final String SECRET = "test-internal-secret-0123456789";

    protected FakeServices services;

    @Inject
    protected Upstreams upstreams;

    @Inject
    protected RateLimiter rateLimiter;

    @BeforeEach
    void freshState() {
        services = FakeServices.ready();
        upstreams.breakers().values().forEach(CircuitBreaker::reset);
        rateLimiter.reset();
    }

    protected static RequestSpecification as(String key) {
        return RestAssured.given().urlEncodingEnabled(false).header("Authorization", "Bearer " + key);
    }

    protected static RequestSpecification analyst() {
        return as(ANALYST_KEY);
    }

    protected static RequestSpecification viewer() {
        return as(VIEWER_KEY);
    }

    protected static String gatewayUrl() {
        return "http://localhost:" + RestAssured.port;
    }
}
