-- run-profile: how big a run is, how its shards ended, and the spread of its key metrics.
-- One row per key metric: expected/observed points, shard counts, min, median, max over the
-- points of the shards that succeeded, of each point's mean over its replicates (the median is the
-- mean of the middle one or two values).
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
  -- each point's means over its replicates
  SELECT
    point_index,
    avg(conversion_rate) AS conversion_rate,
    avg(CAST(completed_riders AS DOUBLE)) AS completed_riders,
    avg(platform_revenue) AS platform_revenue,
    avg(driver_payouts) AS driver_payouts,
    avg(avg_time_to_match_ms) AS avg_time_to_match_ms,
    avg(avg_time_to_pickup_ms) AS avg_time_to_pickup_ms,
    avg(driver_utilization) AS driver_utilization
  FROM shard_metrics
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
  GROUP BY point_index
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
long_metrics AS (
  -- one (metric, value) row per point and metric, from a single scan of shard_metrics
  SELECT
    n.metric,
    p.point_index,
    CASE n.metric
      WHEN 'conversion_rate' THEN p.conversion_rate
      WHEN 'completed_riders' THEN p.completed_riders
      WHEN 'platform_revenue' THEN p.platform_revenue
      WHEN 'driver_payouts' THEN p.driver_payouts
      WHEN 'avg_time_to_match_ms' THEN p.avg_time_to_match_ms
      WHEN 'avg_time_to_pickup_ms' THEN p.avg_time_to_pickup_ms
      WHEN 'driver_utilization' THEN p.driver_utilization
    END AS value
  FROM points p
  CROSS JOIN metric_names n
),
ranked AS (
  SELECT
    metric,
    point_index,
    value,
    row_number() OVER (PARTITION BY metric ORDER BY value) AS rn,
    count(*) OVER (PARTITION BY metric) AS n
  FROM long_metrics
),
spread AS (
  SELECT
    metric,
    count(DISTINCT point_index) AS points,
    min(value) AS min_value,
    avg(CASE WHEN rn IN (floor((n + 1) / 2.0), ceil((n + 1) / 2.0)) THEN value END) AS median_value,
    max(value) AS max_value
  FROM ranked
  GROUP BY metric
),
counts AS (
  SELECT
    (SELECT max(total_points) FROM context) AS expected_points,
    (SELECT max(shard_count) FROM context) AS expected_shards,
    (SELECT count(*) FROM succeeded) AS shards_succeeded,
    (SELECT count(*) FROM failed) AS shards_failed
)
SELECT
  m.metric,
  c.expected_points,
  coalesce(s.points, 0) AS points,
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
