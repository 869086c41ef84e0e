package io.counterfact.ingestion;

import io.counterfact.infra.InternalAuthContract;
import io.quarkus.test.junit.QuarkusTest;

import java.util.List;

/** The service trusts only the gateway: every route below refuses a token the gateway did not issue (401). */
@QuarkusTest
class InternalAuthTest extends InternalAuthContract {

    @Override
    protected List<String> routes() {
        return List.of("POST /api/datasets", "GET /api/datasets/some-id", "POST /api/datasets/some-id/rows",
                "POST /api/datasets/some-id/versions", "GET /api/datasets/some-id/versions/1");
    }
}
