package io.counterfact.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import io.counterfact.common.events.Topics;

import java.util.Map;

/**
 * Starts a real Kafka broker for a {@code @QuarkusTest}. A test that needs to take the broker down (an outage) gets
 * it injected through {@link InjectKafka}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private LocalKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = LocalKafka.start(null, 0);
        kafka.createTopics(Topics.PARTITIONS); // as in production: declared partition counts, not auto-created ones
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka, new TestInjector.AnnotatedAndMatchesType(InjectKafka.class, LocalKafka.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
