-- estimation-service's replica of sealed dataset versions, built only from ingestion-service's events
-- (counterfact.datasets and counterfact.dataset-chunks; see common/EVENTS.md).

-- Inbox: the events already applied. Written in the same transaction as the state change they cause, so a
-- redelivered event (at-least-once consumption) changes nothing twice.
CREATE TABLE inbox (
    event_id      text        PRIMARY KEY,      -- CloudEvents id: the envelope's id, or a chunk's ce_id header
    topic         text        NOT NULL,
    event_type    text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now()
);

-- One received row group (a chunk event's value, stored as received), keyed as ingestion keys it.
CREATE TABLE replica_row_group (
    batch_id      uuid        NOT NULL,
    idx           integer     NOT NULL,         -- 0-based index in its batch
    dataset_id    text        NOT NULL,
    rows          integer     NOT NULL,
    column_types  text        NOT NULL,         -- one letter per column in schema order: n numeric, b binary, c categorical
    payload       bytea       NOT NULL,         -- the encoded row group (common/EVENTS.md)
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, idx)
);
-- Encoded doubles do not compress: skip PostgreSQL's compression attempt, keep out-of-line storage (so the
-- counting and ordering queries, which never read the payload, stay on small heap tuples).
ALTER TABLE replica_row_group ALTER COLUMN payload SET STORAGE EXTERNAL;

-- A version as its version-committed event describes it, and how far its replica is.
CREATE TABLE replica_version (
    dataset_id           text        NOT NULL,
    version              integer     NOT NULL,
    name                 text        NOT NULL,
    columns              jsonb       NOT NULL,  -- [{"name", "type"}] in schema order
    rows                 bigint      NOT NULL,
    checksum             text        NOT NULL,  -- as the commit event states it
    committed_at         timestamptz NOT NULL,
    event_id             text        NOT NULL,  -- the commit event that created this row
    status               text        NOT NULL CHECK (status IN ('PENDING', 'READY', 'CORRUPT')),
    reason               text,                  -- why a version is CORRUPT (or what a PENDING one waits for)
    row_groups_expected  integer     NOT NULL,
    row_groups_present   integer     NOT NULL,  -- kept up to date as chunks land; recounted before completing
    received_at          timestamptz NOT NULL DEFAULT now(),
    completed_at         timestamptz,
    PRIMARY KEY (dataset_id, version)
);

-- Every batch of a version in row order (the commit event lists them all, not only the new ones).
CREATE TABLE replica_version_batch (
    dataset_id  text     NOT NULL,
    version     integer  NOT NULL,
    seq         integer  NOT NULL,              -- position in the version's row order
    batch_id    uuid     NOT NULL,
    rows        bigint   NOT NULL,
    row_groups  integer  NOT NULL,
    digest      bytea    NOT NULL,              -- as the commit event states it
    PRIMARY KEY (dataset_id, version, seq),
    FOREIGN KEY (dataset_id, version) REFERENCES replica_version (dataset_id, version)
);
-- A landing chunk finds the pending versions that wait for its batch through this index.
CREATE INDEX replica_version_batch_by_batch ON replica_version_batch (batch_id);

-- Digests recomputed from the stored row groups (which never change once stored), so that a batch shared by
-- several versions is hashed once.
CREATE TABLE replica_batch_digest (
    batch_id     uuid        PRIMARY KEY,
    row_groups   integer     NOT NULL,
    rows         bigint      NOT NULL,
    digest       bytea       NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
