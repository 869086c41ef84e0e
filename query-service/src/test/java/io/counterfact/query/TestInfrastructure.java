package io.counterfact.query;

import io.counterfact.infra.KafkaTestResource;
import io.counterfact.infra.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** One real PostgreSQL and one real Kafka broker for all of this module's tests, started in parallel. */
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL, parallel = true,
        initArgs = @ResourceArg(name = "database", value = "query"))
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.GLOBAL, parallel = true)
public final class TestInfrastructure {
    private TestInfrastructure() {
    }
}
