-- failures: every failure outcome of a run, by shard, with its error and attempt.
-- One row per failed shard (the failure object keeps its latest attempt): shard_id, attempt,
-- error_code, error_message, the shard's point range, timing, and succeeded_later (a success
-- outcome exists too, after a retry or a redrive).
-- Parameters: :run_id
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query failures`).
WITH successes AS (
  SELECT DISTINCT shard_id FROM shard_outcomes WHERE run_id = :run_id AND status = 'success'
)
SELECT
  o.shard_id,
  o.attempt,
  o.error_code,
  o.error_message,
  o.start_index,
  o.end_index_exclusive,
  o.started_at,
  o.finished_at,
  o.duration_ms,
  CASE WHEN o.shard_id IN (SELECT shard_id FROM successes) THEN true ELSE false END AS succeeded_later
FROM shard_outcomes o
WHERE o.run_id = :run_id AND o.status = 'failure'
ORDER BY o.shard_id, o.attempt
