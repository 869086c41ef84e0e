-- Cancellation (DELETE /api/estimations/{id}, issue 24): CANCELLED is a fourth terminal status. DELETE moves a
-- QUEUED or RUNNING row to it at once, in the transaction that writes the EstimationCancelled event; the worker that
-- runs the command (in any pod) sees it by polling the ids it runs and stops at its next checkpoint. Like SUCCEEDED
-- and FAILED it never changes again, so a late result of the stopped run cannot overwrite it.
ALTER TABLE estimation DROP CONSTRAINT estimation_status_check;
ALTER TABLE estimation ADD CONSTRAINT estimation_status_check
    CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
