-- paired-differences: how each key metric changes from one value of a dimension to the next.
-- One row per pair of neighbouring points (the same values in every other dimension, this one at
-- its value and at the next in the request's list) and key metric: difference = mean at to_value
-- minus mean at from_value, its 95 % interval (ci_low, ci_high, half_width), excludes_zero (the
-- interval leaves 0 out: the data show the direction of the change), and the two means.
-- method says how the interval was computed:
--   'paired' (seed_strategy "common": replicate r of both points ran on the same seed, so the
--   difference is taken replicate by replicate, n = replicates present at both points, and the
--   interval is difference -/+ t(0.975, n - 1) * sd(differences) / sqrt(n));
--   'welch' (seed_strategy "independent": the two points' replicates are unrelated, so the interval
--   is difference -/+ t(0.975, df) * sqrt(var_from / n_from + var_to / n_to), df by
--   Welch-Satterthwaite, rounded down).
-- Common random numbers remove the noise both points share, so 'paired' intervals are narrower
-- for the same replicates. NULL intervals: fewer than two replicates.
-- Parameters: :run_id
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query paired-differences`).
WITH context AS (
  SELECT dimensions_json, seed_strategy FROM run_context WHERE run_id = :run_id
),
succeeded AS (
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
-- begin generated block parameter_names (`make query-pack` writes it: do not edit)
parameter_names AS (
  -- every simulation parameter: the names a dimension can have
  SELECT name FROM (VALUES
    ('base_fare'), ('batch_interval_seconds'), ('city_height_km'), ('city_width_km'),
    ('commission_rate'), ('demand_hotspot_share'), ('driver_earnings_target_max'), ('driver_earnings_target_min'),
    ('driver_reservation_wage'), ('driver_shift_hours_max'), ('driver_shift_hours_min'), ('driver_supply_elasticity'),
    ('idle_time_weight'), ('match_radius_km'), ('matching_algorithm'), ('max_acceptable_eta_minutes'),
    ('max_quote_rejections'), ('max_trip_km'), ('mean_speed_kmh'), ('min_trip_km'),
    ('num_drivers'), ('num_riders'), ('per_km_rate'), ('reposition_after_seconds'),
    ('reposition_max_km'), ('reposition_policy'), ('request_window_minutes'), ('requote_delay_seconds'),
    ('rider_accept_probability'), ('rider_patience_max_seconds'), ('rider_patience_min_seconds'), ('rider_value_base'),
    ('rider_value_per_km'), ('simulation_minutes'), ('start_day'), ('start_hour'),
    ('surge_enabled'), ('surge_max_multiplier'), ('surge_sensitivity'), ('surge_update_seconds'),
    ('surge_zone_km'), ('traffic_profile'), ('willingness_to_pay_sigma')
  ) AS p (name)
),
-- end generated block parameter_names
dimensions AS (
  -- the swept dimensions and how many values each has (points enumerate them by name, the last
  -- name varying fastest: docs/contract.md §2)
  SELECT n.name AS dimension, json_array_length(json_extract(c.dimensions_json, '$.' || n.name)) AS size
  FROM parameter_names n
  CROSS JOIN context c
  WHERE json_extract(c.dimensions_json, '$.' || n.name) IS NOT NULL
),
strides AS (
  -- a point's index grows by `stride` from one value of the dimension to the next
  SELECT
    a.dimension,
    a.size,
    CAST(round(exp(coalesce(sum(ln(b.size)), 0.0E0))) AS BIGINT) AS stride
  FROM dimensions a
  LEFT JOIN dimensions b ON b.dimension > a.dimension
  WHERE a.size > 1
  GROUP BY a.dimension, a.size
),
point_stats AS (
  SELECT
    point_index,
    metric,
    metric_order,
    count(*) AS n,
    avg(value) AS mean,
    var_samp(value) AS variance
  FROM simulation_metrics
  GROUP BY point_index, metric, metric_order
),
points AS (
  SELECT DISTINCT point_index FROM simulation_metrics
),
pairs AS (
  SELECT
    s.dimension,
    mod(CAST(floor(p.point_index / CAST(s.stride AS DOUBLE)) AS BIGINT), s.size) AS from_position,
    p.point_index AS from_point,
    q.point_index AS to_point
  FROM points p
  CROSS JOIN strides s
  JOIN points q ON q.point_index = p.point_index + s.stride
  WHERE mod(CAST(floor(p.point_index / CAST(s.stride AS DOUBLE)) AS BIGINT), s.size) < s.size - 1
),
sides AS (
  -- each pair's two points, side 0 (from) and side 1 (to): grouping by pair and side instead of
  -- joining a table to itself keeps the plan linear in the run's size on both engines
  SELECT dimension, from_position, from_point, to_point, 0 AS side, from_point AS point_index FROM pairs
  UNION ALL
  SELECT dimension, from_position, from_point, to_point, 1 AS side, to_point AS point_index FROM pairs
),
replicate_differences AS (
  -- common seeds: to minus from, replicate by replicate (sides = 2 where both points have it)
  SELECT
    s.dimension,
    s.from_position,
    s.from_point,
    s.to_point,
    m.metric,
    m.metric_order,
    m.replicate,
    count(*) AS sides,
    sum(CASE WHEN s.side = 0 THEN m.value END) AS value_from,
    sum(CASE WHEN s.side = 1 THEN m.value END) AS value_to,
    sum(CASE WHEN s.side = 1 THEN m.value ELSE -m.value END) AS difference
  FROM sides s
  JOIN simulation_metrics m ON m.point_index = s.point_index
  WHERE (SELECT max(seed_strategy) FROM context) = 'common'
  GROUP BY s.dimension, s.from_position, s.from_point, s.to_point, m.metric, m.metric_order, m.replicate
),
paired AS (
  SELECT
    dimension,
    from_position,
    from_point,
    to_point,
    metric,
    metric_order,
    count(*) AS n,
    avg(value_from) AS mean_from,
    avg(value_to) AS mean_to,
    avg(difference) AS difference,
    stddev_samp(difference) / sqrt(count(*)) AS standard_error,
    count(*) - 1 AS df
  FROM replicate_differences
  WHERE sides = 2
  GROUP BY dimension, from_position, from_point, to_point, metric, metric_order
),
point_pairs AS (
  -- independent seeds: the two points' own means and variances, side by side
  SELECT
    s.dimension,
    s.from_position,
    s.from_point,
    s.to_point,
    p.metric,
    p.metric_order,
    max(CASE WHEN s.side = 0 THEN p.n END) AS n_from,
    max(CASE WHEN s.side = 1 THEN p.n END) AS n_to,
    max(CASE WHEN s.side = 0 THEN p.mean END) AS mean_from,
    max(CASE WHEN s.side = 1 THEN p.mean END) AS mean_to,
    max(CASE WHEN s.side = 0 THEN p.variance / p.n END) AS squared_error_from,
    max(CASE WHEN s.side = 1 THEN p.variance / p.n END) AS squared_error_to
  FROM sides s
  JOIN point_stats p ON p.point_index = s.point_index
  WHERE (SELECT max(seed_strategy) FROM context) <> 'common'
  GROUP BY s.dimension, s.from_position, s.from_point, s.to_point, p.metric, p.metric_order
),
welch AS (
  SELECT
    dimension,
    from_position,
    from_point,
    to_point,
    metric,
    metric_order,
    least(n_from, n_to) AS n,
    mean_from,
    mean_to,
    mean_to - mean_from AS difference,
    sqrt(squared_error_from + squared_error_to) AS standard_error,
    CASE WHEN squared_error_from + squared_error_to > 0 THEN
      power(squared_error_from + squared_error_to, 2)
      / (power(squared_error_from, 2) / (n_from - 1) + power(squared_error_to, 2) / (n_to - 1))
    END AS df
  FROM point_pairs
),
differences AS (
  SELECT d.*, 'paired' AS method FROM paired d
  UNION ALL
  SELECT d.*, 'welch' AS method FROM welch d
),
intervals AS (
  SELECT
    d.*,
    CASE WHEN d.standard_error = 0 THEN 0.0E0 ELSE q.t * d.standard_error END AS half_width
  FROM differences d
  LEFT JOIN t_975 q ON floor(d.df) BETWEEN q.df_from AND q.df_to
)
SELECT
  i.dimension,
  replace(CAST(json_extract(c.dimensions_json,
    '$.' || i.dimension || '[' || CAST(i.from_position AS VARCHAR) || ']') AS VARCHAR), '"', '') AS from_value,
  replace(CAST(json_extract(c.dimensions_json,
    '$.' || i.dimension || '[' || CAST(i.from_position + 1 AS VARCHAR) || ']') AS VARCHAR), '"', '') AS to_value,
  i.from_point,
  i.to_point,
  i.metric,
  i.method,
  i.n,
  i.mean_from,
  i.mean_to,
  i.difference,
  i.difference - i.half_width AS ci_low,
  i.difference + i.half_width AS ci_high,
  i.half_width,
  CASE WHEN i.half_width IS NOT NULL THEN i.difference - i.half_width > 0 OR i.difference + i.half_width < 0 END
    AS excludes_zero
FROM intervals i
CROSS JOIN context c
ORDER BY i.dimension, i.from_point, i.metric_order, i.method
