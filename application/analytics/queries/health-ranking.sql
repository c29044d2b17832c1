-- health-ranking: a run's points ranked by the health score of docs/model.md.
-- Each metric is min-max normalised over the run's points (0.5 when all are equal); then
-- health = 0.30 conversion + 0.25 revenue + 0.15 payouts + 0.15 (1 - avg match time)
--        + 0.15 (1 - avg pickup time) - 0.20 abandonment rate,
-- where abandonment rate = abandoned_quote_riders / total_riders (0 without riders).
-- The top :top_n points, best first (ties by point_index).
-- Parameters: :run_id, :top_n
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query health-ranking`).
WITH succeeded AS (
  SELECT DISTINCT shard_id FROM shard_outcomes WHERE run_id = :run_id AND status = 'success'
),
params AS (
  SELECT shard_id, point_index, selected_dimensions_json
  FROM effective_parameters
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
),
points AS (
  SELECT
    shard_id,
    point_index,
    conversion_rate,
    platform_revenue,
    driver_payouts,
    avg_time_to_match_ms,
    avg_time_to_pickup_ms,
    CASE WHEN total_riders > 0
      THEN CAST(abandoned_quote_riders AS DOUBLE) / total_riders ELSE 0.0 END AS abandonment_rate
  FROM shard_metrics
  WHERE run_id = :run_id AND status = 'success' AND shard_id IN (SELECT shard_id FROM succeeded)
),
bounds AS (
  SELECT
    *,
    min(conversion_rate) OVER () AS conversion_lo, max(conversion_rate) OVER () AS conversion_hi,
    min(platform_revenue) OVER () AS revenue_lo, max(platform_revenue) OVER () AS revenue_hi,
    min(driver_payouts) OVER () AS payouts_lo, max(driver_payouts) OVER () AS payouts_hi,
    min(avg_time_to_match_ms) OVER () AS match_lo, max(avg_time_to_match_ms) OVER () AS match_hi,
    min(avg_time_to_pickup_ms) OVER () AS pickup_lo, max(avg_time_to_pickup_ms) OVER () AS pickup_hi,
    min(abandonment_rate) OVER () AS abandon_lo, max(abandonment_rate) OVER () AS abandon_hi
  FROM points
),
normalised AS (
  SELECT
    *,
    CASE WHEN conversion_hi > conversion_lo
      THEN (conversion_rate - conversion_lo) / (conversion_hi - conversion_lo) ELSE 0.5 END AS conversion_n,
    CASE WHEN revenue_hi > revenue_lo
      THEN (platform_revenue - revenue_lo) / (revenue_hi - revenue_lo) ELSE 0.5 END AS revenue_n,
    CASE WHEN payouts_hi > payouts_lo
      THEN (driver_payouts - payouts_lo) / (payouts_hi - payouts_lo) ELSE 0.5 END AS payouts_n,
    CASE WHEN match_hi > match_lo
      THEN (avg_time_to_match_ms - match_lo) / (match_hi - match_lo) ELSE 0.5 END AS match_n,
    CASE WHEN pickup_hi > pickup_lo
      THEN (avg_time_to_pickup_ms - pickup_lo) / (pickup_hi - pickup_lo) ELSE 0.5 END AS pickup_n,
    CASE WHEN abandon_hi > abandon_lo
      THEN (abandonment_rate - abandon_lo) / (abandon_hi - abandon_lo) ELSE 0.5 END AS abandon_n
  FROM bounds
),
scored AS (
  SELECT
    *,
    0.30 * conversion_n + 0.25 * revenue_n + 0.15 * payouts_n
      + 0.15 * (1 - match_n) + 0.15 * (1 - pickup_n) - 0.20 * abandon_n AS health_score
  FROM normalised
)
SELECT
  row_number() OVER (ORDER BY s.health_score DESC, s.point_index) AS health_rank,
  s.point_index,
  s.shard_id,
  p.selected_dimensions_json,
  s.health_score,
  s.conversion_rate,
  s.platform_revenue,
  s.driver_payouts,
  s.avg_time_to_match_ms,
  s.avg_time_to_pickup_ms,
  s.abandonment_rate
FROM scored s
JOIN params p ON p.shard_id = s.shard_id AND p.point_index = s.point_index
ORDER BY s.health_score DESC, s.point_index
LIMIT :top_n
