-- metrics-by-parameter: each simulation's swept parameter values next to its key metrics.
-- One row per simulation (point and replicate) of the run's succeeded shards, by point_index then
-- replicate, with the simulation's seed; selected_dimensions_json holds the point's values of the
-- swept dimensions (the typed column of every parameter is in effective_parameters, for filters
-- such as `AND p.num_drivers = 100`). point-summary gives each point's means and intervals.
-- Parameters: :run_id
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query metrics-by-parameter`).
WITH succeeded AS (
  SELECT DISTINCT shard_id FROM shard_outcomes WHERE run_id = :run_id AND status = 'success'
),
params AS (
  SELECT run_id, shard_id, point_index, selected_dimensions_json
  FROM effective_parameters
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
),
metrics AS (
  SELECT * FROM shard_metrics
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
)
SELECT
  p.point_index,
  p.shard_id,
  p.selected_dimensions_json,
  m.replicate,
  m.simulation_seed,
  m.total_riders,
  m.completed_riders,
  m.conversion_rate,
  m.abandoned_quote_riders,
  m.cancelled_riders,
  m.platform_revenue,
  m.driver_payouts,
  m.avg_time_to_match_ms,
  m.avg_time_to_pickup_ms,
  m.avg_trip_duration_ms,
  m.driver_utilization
FROM params p
JOIN metrics m
  ON m.run_id = p.run_id AND m.shard_id = p.shard_id AND m.point_index = p.point_index
ORDER BY p.point_index, m.replicate
