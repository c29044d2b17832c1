-- precision: how precisely the run's replicates pin down each key metric, and what more would buy.
-- One row per key metric (the metrics of point-summary). For each point with at least two
-- replicates and a non-zero mean, rel_half_width = t(0.975, n - 1) * sd / sqrt(n) / |mean| is the
-- half-width of its 95 % interval relative to its mean, and replicates_for_Xpct the smallest
-- number of replicates n >= 2 with t(0.975, n - 1) * sd / sqrt(n) <= X % of |mean|, taking the
-- point's sd and mean as measured (t from the same table as the intervals, so the answer is exact
-- for it, not the normal approximation (1.96 * sd / (X % * mean))^2, which undercounts small n).
-- Columns: points (with results), points_measured (those with a relative half-width), replicates
-- (per point, the fewest of any point), rel_half_width_median and _max over the measured points,
-- replicates_for_5pct / _2pct (the median point: half the points reach +/-5 % / 2 % with that
-- many) and replicates_for_5pct_all / _2pct_all (every point does). The median of an even
-- number of points is the upper one of the middle two. NULL where nothing was measured, or where
-- more than 10^9 replicates would be needed.
-- Parameters: :run_id
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query precision`).
WITH succeeded AS (
  SELECT DISTINCT shard_id FROM shard_outcomes WHERE run_id = :run_id AND status = 'success'
),
-- begin generated block simulation_metrics (`make query-pack` writes it: do not edit)
simulation_metrics AS (
  -- one row per simulation (point and replicate) of the succeeded shards and key metric
  SELECT
    m.shard_id,
    m.point_index,
    m.replicate,
    k.metric,
    k.metric_order,
    CASE k.metric
      WHEN 'conversion_rate' THEN m.conversion_rate
      WHEN 'avg_time_to_match_ms' THEN m.avg_time_to_match_ms
      WHEN 'avg_time_to_pickup_ms' THEN m.avg_time_to_pickup_ms
      WHEN 'platform_revenue' THEN m.platform_revenue
      WHEN 'driver_payouts' THEN m.driver_payouts
      WHEN 'abandonment_rate' THEN CASE WHEN m.total_riders > 0
        THEN CAST(m.abandoned_quote_riders AS DOUBLE) / m.total_riders ELSE 0.0E0 END
      WHEN 'driver_utilization' THEN m.driver_utilization
      WHEN 'avg_surge_multiplier' THEN m.avg_surge_multiplier
    END AS value
  FROM shard_metrics m
  CROSS JOIN (VALUES
    ('conversion_rate', 1), ('avg_time_to_match_ms', 2), ('avg_time_to_pickup_ms', 3),
    ('platform_revenue', 4), ('driver_payouts', 5), ('abandonment_rate', 6),
    ('driver_utilization', 7), ('avg_surge_multiplier', 8)
  ) AS k (metric, metric_order)
  WHERE m.run_id = :run_id AND m.status = 'success'
    AND m.shard_id IN (SELECT shard_id FROM succeeded)
),
-- end generated block simulation_metrics
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
point_stats AS (
  SELECT point_index, metric, metric_order, count(*) AS n, avg(value) AS mean, stddev_samp(value) AS sd
  FROM simulation_metrics
  GROUP BY point_index, metric, metric_order
),
measured AS (
  -- points with an interval (n >= 2: a row of t_975) and a mean to relate it to
  SELECT
    s.point_index,
    s.metric,
    q.t * s.sd / sqrt(s.n) / abs(s.mean) AS rel_half_width,
    s.sd / abs(s.mean) AS cv
  FROM point_stats s
  JOIN t_975 q ON s.n - 1 BETWEEN q.df_from AND q.df_to
  WHERE s.mean <> 0
),
targets AS (
  SELECT target_pct FROM (VALUES (2), (5)) AS g (target_pct)
),
candidates AS (
  -- within each row of t_975 (one quantile t for df_from .. df_to), the fewest replicates n with
  -- n - 1 in the row and n >= (t * cv / target)^2; the answer is the least candidate over rows
  SELECT
    m.point_index,
    m.metric,
    g.target_pct,
    q.df_to,
    greatest(
      q.df_from + 1,
      CAST(ceil(least(power(q.t * m.cv / (g.target_pct / 100.0E0), 2), 1.0E12)) AS BIGINT)
    ) AS n
  FROM measured m
  CROSS JOIN targets g
  CROSS JOIN t_975 q
),
needed AS (
  SELECT
    point_index,
    metric,
    min(CASE WHEN target_pct = 2 AND n - 1 <= df_to THEN n END) AS replicates_for_2pct,
    min(CASE WHEN target_pct = 5 AND n - 1 <= df_to THEN n END) AS replicates_for_5pct
  FROM candidates
  GROUP BY point_index, metric
),
ranked AS (
  SELECT
    m.metric,
    m.rel_half_width,
    n.replicates_for_2pct,
    n.replicates_for_5pct,
    floor(count(*) OVER (PARTITION BY m.metric) / 2.0E0) + 1 AS median_rank,
    row_number() OVER (PARTITION BY m.metric ORDER BY m.rel_half_width, m.point_index) AS width_rank,
    row_number() OVER (PARTITION BY m.metric ORDER BY n.replicates_for_2pct, m.point_index) AS rank_2pct,
    row_number() OVER (PARTITION BY m.metric ORDER BY n.replicates_for_5pct, m.point_index) AS rank_5pct
  FROM measured m
  JOIN needed n ON n.point_index = m.point_index AND n.metric = m.metric
),
summary AS (
  SELECT
    metric,
    count(*) AS points_measured,
    max(CASE WHEN width_rank = median_rank THEN rel_half_width END) AS rel_half_width_median,
    max(rel_half_width) AS rel_half_width_max,
    max(CASE WHEN rank_5pct = median_rank THEN replicates_for_5pct END) AS replicates_for_5pct,
    CASE WHEN count(replicates_for_5pct) = count(*) THEN max(replicates_for_5pct) END
      AS replicates_for_5pct_all,
    max(CASE WHEN rank_2pct = median_rank THEN replicates_for_2pct END) AS replicates_for_2pct,
    CASE WHEN count(replicates_for_2pct) = count(*) THEN max(replicates_for_2pct) END
      AS replicates_for_2pct_all
  FROM ranked
  GROUP BY metric
),
metrics AS (
  SELECT metric, metric_order, count(*) AS points, min(n) AS replicates
  FROM point_stats
  GROUP BY metric, metric_order
)
SELECT
  k.metric,
  k.points,
  coalesce(s.points_measured, 0) AS points_measured,
  k.replicates,
  s.rel_half_width_median,
  s.rel_half_width_max,
  s.replicates_for_5pct,
  s.replicates_for_5pct_all,
  s.replicates_for_2pct,
  s.replicates_for_2pct_all
FROM metrics k
LEFT JOIN summary s ON s.metric = k.metric
ORDER BY k.metric_order
