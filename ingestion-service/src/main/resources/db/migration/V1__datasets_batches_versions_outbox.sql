-- ingestion-service owns the system of record for datasets. Rows are stored as encoded row groups
-- (column chunks; see common/EVENTS.md), never as a database row per value.

CREATE TABLE dataset (
    id          text        PRIMARY KEY,
    name        text        NOT NULL,
    columns     jsonb       NOT NULL,          -- [{"name", "type"}] in schema order
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One accepted append. version stays NULL until a seal takes it into a version.
CREATE TABLE batch (
    id               uuid        PRIMARY KEY,
    dataset_id       text        NOT NULL REFERENCES dataset (id),
    seq              bigserial   NOT NULL,     -- append order, the order rows take in a version
    rows             bigint      NOT NULL,
    row_groups       integer     NOT NULL,
    digest           bytea,                    -- SHA-256 over the encoded row groups, set when the upload completes
    idempotency_key  text,
    version          integer,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT batch_idempotency UNIQUE (dataset_id, idempotency_key)
);
CREATE INDEX batch_unsealed ON batch (dataset_id, seq) WHERE version IS NULL;

CREATE TABLE row_group (
    batch_id  uuid    NOT NULL REFERENCES batch (id),
    idx       integer NOT NULL,
    rows      integer NOT NULL,
    payload   bytea   NOT NULL,
    PRIMARY KEY (batch_id, idx)
);
-- Encoded doubles do not compress: skip PostgreSQL's compression attempt, keep out-of-line storage.
ALTER TABLE row_group ALTER COLUMN payload SET STORAGE EXTERNAL;

CREATE TABLE dataset_version (
    dataset_id  text        NOT NULL REFERENCES dataset (id),
    version     integer     NOT NULL,
    rows        bigint      NOT NULL,
    checksum    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, version)
);

-- Transactional outbox: written in the same transaction as the state change, published by the relay.
-- A chunk event carries no payload here: the relay reads the row group it points at (no second copy of the rows).
CREATE TABLE outbox (
    id            bigserial   PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    topic         text        NOT NULL,
    record_key    text        NOT NULL,
    event_type    text        NOT NULL,
    payload       bytea,
    batch_id      uuid,
    row_group     integer,
    headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
