-- run-profile: how big a run is, how its shards ended, and the spread of its key metrics.
-- One row per key metric: expected/observed points, shard counts, min, median, max over the
-- points of the shards that succeeded (the median is the mean of the middle one or two values).
-- Parameters: :run_id
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query run-profile`).
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
points AS (
  SELECT * FROM shard_metrics
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
),
long_metrics AS (
  SELECT 'conversion_rate' AS metric, conversion_rate AS value FROM points
  UNION ALL SELECT 'completed_riders', CAST(completed_riders AS DOUBLE) FROM points
  UNION ALL SELECT 'platform_revenue', platform_revenue FROM points
  UNION ALL SELECT 'driver_payouts', driver_payouts FROM points
  UNION ALL SELECT 'avg_time_to_match_ms', avg_time_to_match_ms FROM points
  UNION ALL SELECT 'avg_time_to_pickup_ms', avg_time_to_pickup_ms FROM points
  UNION ALL SELECT 'driver_utilization', driver_utilization FROM points
),
ranked AS (
  SELECT
    metric,
    value,
    row_number() OVER (PARTITION BY metric ORDER BY value) AS rn,
    count(*) OVER (PARTITION BY metric) AS n
  FROM long_metrics
),
spread AS (
  SELECT
    metric,
    min(value) AS min_value,
    avg(CASE WHEN rn IN (floor((n + 1) / 2.0), ceil((n + 1) / 2.0)) THEN value END) AS median_value,
    max(value) AS max_value
  FROM ranked
  GROUP BY metric
),
metric_names AS (
  SELECT metric, metric_order FROM (
    VALUES
      ('conversion_rate', 1),
      ('completed_riders', 2),
      ('platform_revenue', 3),
      ('driver_payouts', 4),
      ('avg_time_to_match_ms', 5),
      ('avg_time_to_pickup_ms', 6),
      ('driver_utilization', 7)
  ) AS names (metric, metric_order)
),
counts AS (
  SELECT
    (SELECT max(total_points) FROM context) AS expected_points,
    (SELECT count(DISTINCT point_index) FROM points) AS points,
    (SELECT max(shard_count) FROM context) AS expected_shards,
    (SELECT count(*) FROM succeeded) AS shards_succeeded,
    (SELECT count(*) FROM failed) AS shards_failed
)
SELECT
  m.metric,
  c.expected_points,
  c.points,
  c.expected_shards,
  c.shards_succeeded,
  c.shards_failed,
  s.min_value,
  s.median_value,
  s.max_value
FROM metric_names m
CROSS JOIN counts c
LEFT JOIN spread s ON s.metric = m.metric
ORDER BY m.metric_order
