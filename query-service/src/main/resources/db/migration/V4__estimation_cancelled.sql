-- EstimationCancelled (issue 24): CANCELLED is a terminal status of the view like SUCCEEDED and FAILED (status_rank 2:
-- the first terminal event wins, and a late progress event never moves it back).
ALTER TABLE estimation_view DROP CONSTRAINT estimation_view_status_check;
ALTER TABLE estimation_view ADD CONSTRAINT estimation_view_status_check
    CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
