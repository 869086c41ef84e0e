-- Issue 24: the cost of a command is known at POST.
-- The number of distinct levels of each categorical column of a version (its one-hot width), counted once when the
-- version becomes READY (VersionCompleter), or on first use for a version completed before this column existed:
-- {"column": levels}; null when not counted yet (a version without categorical columns stores {}).
ALTER TABLE replica_version ADD COLUMN levels jsonb;

-- The command's estimated wall time at POST (CommandCost), answered in the 202 and GET /api/estimations/{id}.
ALTER TABLE estimation ADD COLUMN estimated_seconds double precision;
