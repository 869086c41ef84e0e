package io.counterfact.query;

import io.counterfact.infra.InternalAuthContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.List;

/** The service trusts only the gateway: every route below refuses a token the gateway did not issue (401). */
@QuarkusTest
class InternalAuthTest extends InternalAuthContract {

    @Override
    protected List<String> routes() {
        return List.of("GET /api/views/datasets", "GET /api/views/datasets/some-id", "GET /api/estimations/some-id",
                "GET /api/views/estimations", "GET /api/views/events");
    }
}
