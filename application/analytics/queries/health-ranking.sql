-- health-ranking: a run's points ranked by the health score of docs/model.md, with intervals.
-- The score is computed on each point's means over its replicates: each metric's per-point mean is
-- min-max normalised over the run's points (0.5 when all are equal); then
-- health = 0.30 conversion + 0.25 revenue + 0.15 payouts + 0.15 (1 - avg match time)
--        + 0.15 (1 - avg pickup time) - 0.20 abandonment rate,
-- where abandonment rate = abandoned_quote_riders / total_riders (0 without riders).
-- Intervals (95 %, Student t over the point's n replicates; NULL with one replicate):
--   health_low / health_high: each replicate is scored with the same normalisation (the run's
--   bounds of the means), so the score is the mean of its replicates' scores, and its interval is
--   that mean's t interval (the bounds taken as fixed);
--   conversion_low / _high and revenue_low / _high: the score's main inputs (weights 0.30, 0.25).
-- overlaps_best: the point's health interval overlaps the top point's (the data cannot tell it
--   from the best at this replicate count); separable_from_next: the point's health interval lies
--   wholly above the interval of the point ranked next (false when they overlap; NULL for the last
--   point or without intervals). So the top point is "not separable from the next" exactly when
--   row 1 has separable_from_next = false. Disjoint 95 % intervals are a strict test: two points
--   whose intervals overlap may still differ (see paired-differences for a direct test).
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
-- begin generated block t_975 (`make query-pack` writes it: do not edit)
t_975 AS (
  -- t(0.975, df) for df_from <= df <= df_to (docs/analysis.md, "Intervals")
  SELECT df_from, df_to, t FROM (VALUES
    (1, 1, 12.706204737E0), (2, 2, 4.302652730E0), (3, 3, 3.182446306E0), (4, 4, 2.776445106E0),
    (5, 5, 2.570581836E0), (6, 6, 2.446911852E0), (7, 7, 2.364624252E0), (8, 8, 2.306004136E0),
    (9, 9, 2.262157163E0), (10, 10, 2.228138852E0), (11, 11, 2.200985161E0), (12, 12, 2.178812830E0),
    (13, 13, 2.160368657E0), (14, 14, 2.144786688E0), (15, 15, 2.131449546E0), (16, 16, 2.119905300E0),
    (17, 17, 2.109815578E0), (18, 18, 2.100922041E0), (19, 19, 2.093024055E0), (20, 20, 2.085963448E0),
    (21, 21, 2.079613845E0), (22, 22, 2.073873068E0), (23, 23, 2.068657611E0), (24, 24, 2.063898562E0),
    (25, 25, 2.059538553E0), (26, 26, 2.055529439E0), (27, 27, 2.051830517E0), (28, 28, 2.048407142E0),
    (29, 29, 2.045229643E0), (30, 30, 2.042272457E0), (31, 31, 2.039513447E0), (32, 32, 2.036933344E0),
    (33, 33, 2.034515298E0), (34, 34, 2.032244510E0), (35, 35, 2.030107929E0), (36, 36, 2.028094001E0),
    (37, 37, 2.026192464E0), (38, 38, 2.024394164E0), (39, 39, 2.022690921E0), (40, 40, 2.021075391E0),
    (41, 41, 2.019540971E0), (42, 42, 2.018081703E0), (43, 43, 2.016692200E0), (44, 44, 2.015367575E0),
    (45, 45, 2.014103389E0), (46, 46, 2.012895599E0), (47, 47, 2.011740514E0), (48, 48, 2.010634758E0),
    (49, 49, 2.009575238E0), (50, 50, 2.008559113E0), (51, 51, 2.007583771E0), (52, 52, 2.006646806E0),
    (53, 53, 2.005745996E0), (54, 54, 2.004879289E0), (55, 55, 2.004044784E0), (56, 56, 2.003240719E0),
    (57, 57, 2.002465460E0), (58, 58, 2.001717485E0), (59, 59, 2.000995379E0), (60, 69, 2.000297823E0),
    (70, 79, 1.994437112E0), (80, 89, 1.990063422E0), (90, 99, 1.986674541E0), (100, 119, 1.983971519E0),
    (120, 149, 1.979930406E0), (150, 199, 1.975905331E0), (200, 299, 1.971896224E0), (300, 499, 1.967903012E0),
    (500, 999, 1.964719838E0), (1000, 1000000000, 1.962339081E0)
  ) AS q (df_from, df_to, t)
),
-- end generated block t_975
simulations AS (
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
points AS (
  SELECT
    shard_id,
    point_index,
    count(*) AS n,
    avg(conversion_rate) AS conversion_rate,
    avg(platform_revenue) AS platform_revenue,
    avg(driver_payouts) AS driver_payouts,
    avg(avg_time_to_match_ms) AS avg_time_to_match_ms,
    avg(avg_time_to_pickup_ms) AS avg_time_to_pickup_ms,
    avg(abandonment_rate) AS abandonment_rate,
    stddev_samp(conversion_rate) AS conversion_sd,
    stddev_samp(platform_revenue) AS revenue_sd
  FROM simulations
  GROUP BY shard_id, point_index
),
bounds AS (
  SELECT
    min(conversion_rate) AS conversion_lo, max(conversion_rate) AS conversion_hi,
    min(platform_revenue) AS revenue_lo, max(platform_revenue) AS revenue_hi,
    min(driver_payouts) AS payouts_lo, max(driver_payouts) AS payouts_hi,
    min(avg_time_to_match_ms) AS match_lo, max(avg_time_to_match_ms) AS match_hi,
    min(avg_time_to_pickup_ms) AS pickup_lo, max(avg_time_to_pickup_ms) AS pickup_hi,
    min(abandonment_rate) AS abandon_lo, max(abandonment_rate) AS abandon_hi
  FROM points
),
normalised AS (
  -- every replicate normalised with the bounds of the per-point means
  SELECT
    s.shard_id,
    s.point_index,
    CASE WHEN b.conversion_hi > b.conversion_lo
      THEN (s.conversion_rate - b.conversion_lo) / (b.conversion_hi - b.conversion_lo) ELSE 0.5 END AS conversion_n,
    CASE WHEN b.revenue_hi > b.revenue_lo
      THEN (s.platform_revenue - b.revenue_lo) / (b.revenue_hi - b.revenue_lo) ELSE 0.5 END AS revenue_n,
    CASE WHEN b.payouts_hi > b.payouts_lo
      THEN (s.driver_payouts - b.payouts_lo) / (b.payouts_hi - b.payouts_lo) ELSE 0.5 END AS payouts_n,
    CASE WHEN b.match_hi > b.match_lo
      THEN (s.avg_time_to_match_ms - b.match_lo) / (b.match_hi - b.match_lo) ELSE 0.5 END AS match_n,
    CASE WHEN b.pickup_hi > b.pickup_lo
      THEN (s.avg_time_to_pickup_ms - b.pickup_lo) / (b.pickup_hi - b.pickup_lo) ELSE 0.5 END AS pickup_n,
    CASE WHEN b.abandon_hi > b.abandon_lo
      THEN (s.abandonment_rate - b.abandon_lo) / (b.abandon_hi - b.abandon_lo) ELSE 0.5 END AS abandon_n
  FROM simulations s
  CROSS JOIN bounds b
),
scores AS (
  SELECT
    shard_id,
    point_index,
    avg(0.30 * conversion_n + 0.25 * revenue_n + 0.15 * payouts_n
      + 0.15 * (1 - match_n) + 0.15 * (1 - pickup_n) - 0.20 * abandon_n) AS health_score,
    stddev_samp(0.30 * conversion_n + 0.25 * revenue_n + 0.15 * payouts_n
      + 0.15 * (1 - match_n) + 0.15 * (1 - pickup_n) - 0.20 * abandon_n) AS health_sd
  FROM normalised
  GROUP BY shard_id, point_index
),
intervals AS (
  SELECT
    p.*,
    h.health_score,
    q.t * h.health_sd / sqrt(p.n) AS health_half_width,
    q.t * p.conversion_sd / sqrt(p.n) AS conversion_half_width,
    q.t * p.revenue_sd / sqrt(p.n) AS revenue_half_width
  FROM points p
  JOIN scores h ON h.shard_id = p.shard_id AND h.point_index = p.point_index
  LEFT JOIN t_975 q ON p.n - 1 BETWEEN q.df_from AND q.df_to
),
ranked AS (
  SELECT
    i.*,
    row_number() OVER (ORDER BY i.health_score DESC, i.point_index) AS health_rank,
    i.health_score - i.health_half_width AS health_low,
    i.health_score + i.health_half_width AS health_high
  FROM intervals i
),
neighbours AS (
  SELECT
    r.*,
    first_value(r.health_low) OVER (ORDER BY r.health_rank) AS best_low,
    lead(r.health_high) OVER (ORDER BY r.health_rank) AS next_high,
    lead(r.point_index) OVER (ORDER BY r.health_rank) AS next_point
  FROM ranked r
)
SELECT
  s.health_rank,
  s.point_index,
  s.shard_id,
  p.selected_dimensions_json,
  s.n AS replicates,
  s.health_score,
  s.health_low,
  s.health_high,
  s.conversion_rate,
  s.conversion_rate - s.conversion_half_width AS conversion_low,
  s.conversion_rate + s.conversion_half_width AS conversion_high,
  s.platform_revenue,
  s.platform_revenue - s.revenue_half_width AS revenue_low,
  s.platform_revenue + s.revenue_half_width AS revenue_high,
  s.driver_payouts,
  s.avg_time_to_match_ms,
  s.avg_time_to_pickup_ms,
  s.abandonment_rate,
  s.health_high >= s.best_low AS overlaps_best,
  CASE WHEN s.next_point IS NOT NULL THEN s.health_low > s.next_high END AS separable_from_next
FROM neighbours s
JOIN params p ON p.shard_id = s.shard_id AND p.point_index = s.point_index
ORDER BY s.health_rank
LIMIT :top_n
