-- Estimation commands (the command side's own state) and the transactional outbox that publishes them.

-- One row per accepted command. status moves QUEUED -> RUNNING -> SUCCEEDED | FAILED; a terminal row never changes
-- again, so a redelivered command cannot store a second result.
CREATE TABLE estimation (
    id               text        PRIMARY KEY,
    idempotency_key  text        UNIQUE,
    dataset_id       text        NOT NULL,
    version          integer     NOT NULL,
    request          jsonb       NOT NULL,
    status           text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    result           jsonb,
    error            text,
    attempts         integer     NOT NULL DEFAULT 0,
    traceparent      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz
);
CREATE INDEX estimation_dataset ON estimation (dataset_id, version);

-- The outbox of io.counterfact.common.outbox.OutboxRelay (layout documented there).
CREATE TABLE outbox (
    id            bigserial   PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    topic         text        NOT NULL,
    record_key    text        NOT NULL,
    event_type    text        NOT NULL,
    payload       bytea,
    headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
