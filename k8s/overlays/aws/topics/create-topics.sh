#!/bin/sh
# Creates the counterfact topics on MSK (MSK has no Strimzi topic operator). Idempotent: a topic
# that exists is left as it is (--if-not-exists); to change partitions or config of an existing
# topic use kafka-topics.sh --alter / kafka-configs.sh --alter by hand.
# Keep in step with overlays/local/data/topics.yaml (the Strimzi KafkaTopics).
set -eu

: "${KAFKA_BOOTSTRAP_SERVERS:?}"
RF="${REPLICATION_FACTOR:-3}"
MIN_ISR="${MIN_INSYNC_REPLICAS:-2}"

# MSK's TLS listener (9094) presents an Amazon Trust Services certificate the JDK trusts by default
printf 'security.protocol=SSL\n' > /tmp/client.properties

create() {
  topic="$1"; partitions="$2"; shift 2
  echo "topic ${topic}: ${partitions} partitions, replication factor ${RF}"
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "${KAFKA_BOOTSTRAP_SERVERS}" \
    --command-config /tmp/client.properties \
    --create --if-not-exists --topic "${topic}" \
    --partitions "${partitions}" --replication-factor "${RF}" \
    --config "min.insync.replicas=${MIN_ISR}" "$@"
}

create counterfact.datasets            6  --config retention.ms=-1
create counterfact.dataset-chunks      6  --config retention.ms=-1 --config max.message.bytes=2097152
create counterfact.estimation-commands 12 --config retention.ms=604800000
create counterfact.estimation-events   6  --config retention.ms=-1

# a dead-letter topic for each consumed topic
create counterfact.datasets.dlq            3 --config retention.ms=1209600000
create counterfact.dataset-chunks.dlq      3 --config retention.ms=1209600000 --config max.message.bytes=2097152
create counterfact.estimation-commands.dlq 3 --config retention.ms=1209600000
create counterfact.estimation-events.dlq   3 --config retention.ms=1209600000

/opt/kafka/bin/kafka-topics.sh --bootstrap-server "${KAFKA_BOOTSTRAP_SERVERS}" \
  --command-config /tmp/client.properties --describe --topics-with-overrides | grep '^Topic: counterfact\.' || true
