-- The datasets estimation-service has seen registered (DatasetRegistered) or committed (DatasetVersionCommitted):
-- POST /api/estimations answers 404 at once for an id not here once the replica has read the whole datasets topic,
-- and waits for a version only of a dataset it knows (EstimationCommands).
CREATE TABLE replica_dataset (
    dataset_id     text        PRIMARY KEY,
    event_id       text        NOT NULL,        -- the first event that made it known
    registered_at  timestamptz NOT NULL DEFAULT now()
);
-- Datasets replicated before this table existed are known through their versions. (One registered before it and
-- never sealed since has no version to estimate from: it is 404 until its first version arrives, as it would be anyway.)
INSERT INTO replica_dataset (dataset_id, event_id)
SELECT dataset_id, min(event_id) FROM replica_version GROUP BY dataset_id;
