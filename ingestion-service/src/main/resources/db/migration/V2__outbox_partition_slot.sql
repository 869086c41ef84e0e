-- The shared outbox relay (io.counterfact.common.outbox.OutboxRelay) reads partition_slot: null sends a record to
-- the partition of its key's hash, as every ingestion event is sent (a dataset's chunks stay in order on one partition).
ALTER TABLE outbox ADD COLUMN partition_slot bigint;
