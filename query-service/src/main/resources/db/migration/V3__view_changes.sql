-- The changes of the views, in the order their transactions committed, kept a while so that a live stream that was
-- interrupted resumes where it stopped (SSE Last-Event-ID = seq) and a gateway that starts warms its replay buffer.
-- ViewChanges writes a row and notifies its listeners in the transaction that changed the view; a transaction-level
-- advisory lock taken just before makes seq order equal commit order (an identity alone would not: a transaction
-- that drew seq 11 may commit before the one that drew 10, and a client resuming after 11 would never see 10).
-- Rows older than counterfact.views.change-retention are deleted by ViewChangeListener.
CREATE TABLE view_change (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('estimation', 'dataset')),
    id          text COLLATE "C" NOT NULL,
    dataset_id  text COLLATE "C",
    status      text,
    fraction    double precision,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX view_change_by_time ON view_change (changed_at);
