package io.counterfact.query.consumer;

/** Where a record came from: its topic, partition and offset, and its key (null if it had none). */
public record Origin(String topic, int partition, long offset, String key) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
