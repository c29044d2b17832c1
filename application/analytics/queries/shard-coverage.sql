-- shard-coverage: which of a run's planned shards have results.
-- One row: expected_shards (planned), succeeded_shards (a success outcome), failed_shards (a
-- failure outcome and no success), pending_shards (no outcome yet), missing_shard_ids (every
-- planned shard without a success outcome, failed or pending, ascending; empty when complete),
-- expected_points and observed_points (points of succeeded shards).
-- Parameters: :run_id
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query shard-coverage`).
WITH context AS (
  SELECT total_points, shard_count FROM run_context WHERE run_id = :run_id
),
outcomes AS (
  SELECT shard_id, status FROM shard_outcomes WHERE run_id = :run_id
),
succeeded AS (
  SELECT DISTINCT shard_id FROM outcomes WHERE status = 'success'
),
failed AS (
  SELECT DISTINCT shard_id FROM outcomes
  WHERE status = 'failure' AND shard_id NOT IN (SELECT shard_id FROM succeeded)
),
digits AS (
  SELECT d FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t (d)
),
planned AS (
  -- shard ids 0 .. shard_count - 1 (up to 100,000 shards, the largest MAX_SHARDS setting)
  SELECT CAST(d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d AS BIGINT) AS shard_id
  FROM digits d1
  CROSS JOIN digits d2
  CROSS JOIN digits d3
  CROSS JOIN digits d4
  CROSS JOIN digits d5
  WHERE d1.d + 10 * d2.d + 100 * d3.d + 1000 * d4.d + 10000 * d5.d < (SELECT max(shard_count) FROM context)
),
observed_points AS (
  SELECT count(DISTINCT point_index) AS n FROM shard_metrics
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
)
SELECT
  (SELECT max(shard_count) FROM context) AS expected_shards,
  (SELECT count(*) FROM succeeded) AS succeeded_shards,
  (SELECT count(*) FROM failed) AS failed_shards,
  (SELECT count(*) FROM planned
   WHERE shard_id NOT IN (SELECT shard_id FROM outcomes)) AS pending_shards,
  coalesce(
    (SELECT array_agg(shard_id ORDER BY shard_id) FROM planned
     WHERE shard_id NOT IN (SELECT shard_id FROM succeeded)),
    ARRAY[]
  ) AS missing_shard_ids,
  (SELECT max(total_points) FROM context) AS expected_points,
  (SELECT n FROM observed_points) AS observed_points
