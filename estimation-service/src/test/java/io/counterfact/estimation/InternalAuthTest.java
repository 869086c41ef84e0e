package io.counterfact.estimation;

import io.counterfact.infra.InternalAuthContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.List;

/** The service trusts only the gateway: every route below refuses a token the gateway did not issue (401). */
@QuarkusTest
class InternalAuthTest extends InternalAuthContract {

    @Override
    protected List<String> routes() {
        return List.of("POST /api/estimations", "GET /api/estimations/some-id", "POST /api/dags/analyze",
                "GET /api/replica/datasets/some-id/versions/1");
    }
}
