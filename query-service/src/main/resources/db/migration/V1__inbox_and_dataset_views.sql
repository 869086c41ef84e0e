-- query-service's read model. Every table here except the inbox is derived from events only, so the whole
-- database can be thrown away and rebuilt by replaying the topics (see query-service/README.md).
-- Ids are compared byte-wise (COLLATE "C") so that keyset paging does not depend on the server's locale.

-- Processed event ids, written in the same transaction as the view change they caused: a redelivered event
-- (a rebalance, a crash before the offset commit, a relay that published twice) finds its id here and changes nothing.
CREATE TABLE inbox (
    event_id         uuid        PRIMARY KEY,
    event_type       text        NOT NULL,
    subject          text        NOT NULL,
    topic            text        NOT NULL,
    kafka_partition  integer     NOT NULL,
    kafka_offset     bigint      NOT NULL,
    processed_at     timestamptz NOT NULL DEFAULT now()
);

-- The catalog: one row per dataset, with its latest version denormalised into it.
CREATE TABLE dataset_view (
    id              text COLLATE "C" PRIMARY KEY,
    name            text        NOT NULL,
    columns         jsonb       NOT NULL,          -- [{"name", "type"}] in schema order
    latest_version  integer,                       -- null until a version is committed
    rows            bigint      NOT NULL DEFAULT 0, -- rows of latest_version
    checksum        text,                          -- checksum of latest_version
    created_at      timestamptz,                   -- DatasetRegistered.createdAt; null until that event is seen
    updated_at      timestamptz NOT NULL,          -- time of the newest event applied to this dataset
    events_applied  integer     NOT NULL DEFAULT 1 -- how many distinct events built this row
);

-- Every committed version of every dataset (immutable: a version is written once).
CREATE TABLE dataset_version_view (
    dataset_id    text COLLATE "C" NOT NULL REFERENCES dataset_view (id),
    version       integer     NOT NULL,
    rows          bigint      NOT NULL,
    checksum      text        NOT NULL,
    committed_at  timestamptz NOT NULL,
    PRIMARY KEY (dataset_id, version)
);

-- The latest estimate per (dataset, method): the forest plot of a dataset's overview. Filled by the consumer of
-- counterfact.estimation-events once those events are defined (a later issue); empty until then. No foreign key:
-- estimation events travel on another topic and may arrive before the dataset's own events.
CREATE TABLE estimate_view (
    dataset_id     text COLLATE "C" NOT NULL,
    method         text        NOT NULL,
    estimation_id  text        NOT NULL,
    version        integer     NOT NULL,
    estimand       text,
    result         jsonb       NOT NULL,
    completed_at   timestamptz NOT NULL,
    PRIMARY KEY (dataset_id, method)
);
