package io.counterfact.systemtests;

import io.counterfact.common.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Who holds which partition of {@code counterfact.estimation-commands} in the consumer group
 * {@code estimation-workers} (the partition a command was taken from is in the estimation row: {@link
 * EstimationDb.Estimation#commandPartition()}). Instances are told apart by their consumer client id.
 */
public final class CommandGroup implements AutoCloseable {

    public static final String GROUP = "estimation-workers";
    public static final int PARTITIONS = Topics.PARTITIONS.get(Topics.ESTIMATION_COMMANDS);

    private final Admin admin;

    public CommandGroup(String bootstrapServers) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000));
    }

    @Override
    public void close() {
        admin.close();
    }

    /** The JVM option that gives an instance's command consumer a client id we can recognise. */
    public static String clientIdOption(String clientId) {
        return "-Dmp.messaging.incoming.estimation-commands.client.id=" + clientId;
    }

    /** client id → the command partitions it holds now (empty map while the group rebalances or is empty). */
    public Map<String, Set<Integer>> assignment() {
        Map<String, Set<Integer>> out = new TreeMap<>();
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(Set.of(GROUP)).all().get(15, TimeUnit.SECONDS)
                    .get(GROUP);
            for (MemberDescription m : group.members()) {
                Set<Integer> parts = new TreeSet<>();
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    if (tp.topic().equals(Topics.ESTIMATION_COMMANDS)) {
                        parts.add(tp.partition());
                    }
                }
                out.merge(m.clientId(), parts, (a, b) -> {
                    a.addAll(b);
                    return a;
                });
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return out; // no member has joined yet
            }
            throw new IllegalStateException("could not describe the consumer group " + GROUP, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not describe the consumer group " + GROUP, e);
        }
        return out;
    }

    /** How many records {@code topic} holds (sum of its partitions' end offsets: nothing is ever deleted here). */
    public long records(String topic) {
        try {
            int partitions = Topics.PARTITIONS.get(topic);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS).values().stream()
                    .mapToLong(org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        } catch (Exception e) {
            throw new IllegalStateException("could not read the end offsets of " + topic, e);
        }
    }

    /** The partitions held by the member whose client id starts with {@code clientId}. */
    public Set<Integer> partitionsOf(String clientId) {
        return partitionsOf(assignment(), clientId);
    }

    public static Set<Integer> partitionsOf(Map<String, Set<Integer>> assignment, String clientId) {
        Set<Integer> parts = new TreeSet<>();
        assignment.forEach((id, p) -> {
            if (id.startsWith(clientId)) {
                parts.addAll(p);
            }
        });
        return parts;
    }
}
