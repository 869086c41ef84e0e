-- Issue 24: the command's estimated wall time at POST, from EstimationAccepted's optional estimatedSeconds (null for
-- events published before it). Like every column of the view, rebuilt by a replay.
ALTER TABLE estimation_view ADD COLUMN estimated_seconds double precision;
