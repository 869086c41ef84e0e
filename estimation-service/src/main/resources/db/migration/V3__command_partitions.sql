-- Commands are spread over the command topic's partitions in the order they were accepted (the outbox row's
-- partition_slot, from this sequence: slot mod partitions), so that queued commands are shared evenly by the
-- workers of the consumer group rather than by the hash of their ids. Events keep their key's partition (null slot).
ALTER TABLE outbox ADD COLUMN partition_slot bigint;
CREATE SEQUENCE command_partition_slot;

-- The partition the command was last taken from: which worker ran it, for operators and the system tests.
ALTER TABLE estimation ADD COLUMN command_partition integer;
