-- The estimation views, built from counterfact.estimation-events only (like every view, rebuilt by a replay).
-- Events of one estimation share a partition (key = estimation id) and so arrive in order, but the upserts below do
-- not rely on it: a view never moves back (QUEUED < RUNNING < SUCCEEDED | FAILED, status_rank), progress only moves
-- forward within an attempt, and the first terminal event wins. Every timestamp comes from an event, never from the
-- clock of the consumer, so that a replay rebuilds the same rows.
CREATE TABLE estimation_view (
    id              text COLLATE "C" PRIMARY KEY,
    dataset_id      text COLLATE "C",                -- null only until an event that names it is seen
    version         integer,
    method          text,
    status          text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    status_rank     smallint    NOT NULL,            -- 0 QUEUED, 1 RUNNING, 2 SUCCEEDED or FAILED
    request         jsonb,                           -- the accepted request (EstimationAccepted)
    result          jsonb,                           -- the API's result (EstimationCompleted)
    error           text,                            -- the reason (EstimationFailed)
    error_field     text,                            -- the request field at fault, when the engine named one
    poison          boolean     NOT NULL DEFAULT false,
    attempt         integer,                         -- the worker's attempt the newest status belongs to
    fraction        double precision,                -- progress of that attempt, 0..1
    stage           text,
    accepted_at     timestamptz,
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL,            -- time of the newest event applied
    events_applied  integer     NOT NULL DEFAULT 1
);

-- A dataset's estimations, newest first (GET /api/views/estimations?datasetId=...).
CREATE INDEX estimation_view_by_dataset ON estimation_view (dataset_id, accepted_at DESC, id);

-- estimate_view (V1) gets the estimation id compared byte-wise too: it breaks ties between two estimates completed
-- in the same microsecond, and must do so the same way on every server.
ALTER TABLE estimate_view ALTER COLUMN estimation_id TYPE text COLLATE "C";
