-- snapshot-bands: one point's market over time across its replicates, as a mean and a band.
-- One row per snapshot time (60 s grid) and series (riders_browsing, riders_waiting,
-- drivers_idle, drivers_en_route, drivers_on_trip, trips_completed): n (replicates with that
-- snapshot), mean, and band_low / band_high = the 10th and 90th percentiles across the replicates
-- (nearest rank: the values of rank ceil(0.1 n) and ceil(0.9 n)), so about 8 replicates in 10 lie
-- inside the band. With one replicate the band is that replicate's value.
-- Parameters: :run_id, :point_index
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query snapshot-bands`).
WITH snapshots AS (
  SELECT * FROM snapshot_counts
  WHERE run_id = :run_id AND status = 'success' AND point_index = :point_index
),
series_names AS (
  SELECT series, series_order FROM (
    VALUES
      ('riders_browsing', 1),
      ('riders_waiting', 2),
      ('drivers_idle', 3),
      ('drivers_en_route', 4),
      ('drivers_on_trip', 5),
      ('trips_completed', 6)
  ) AS names (series, series_order)
),
long_snapshots AS (
  SELECT
    s.timestamp_ms,
    n.series,
    n.series_order,
    CAST(CASE n.series
      WHEN 'riders_browsing' THEN s.riders_browsing
      WHEN 'riders_waiting' THEN s.riders_waiting
      WHEN 'drivers_idle' THEN s.drivers_idle
      WHEN 'drivers_en_route' THEN s.drivers_en_route
      WHEN 'drivers_on_trip' THEN s.drivers_on_trip
      WHEN 'trips_completed' THEN s.trips_completed
    END AS DOUBLE) AS value
  FROM snapshots s
  CROSS JOIN series_names n
),
ranked AS (
  SELECT
    timestamp_ms,
    series,
    series_order,
    value,
    row_number() OVER (PARTITION BY timestamp_ms, series ORDER BY value) AS value_rank,
    count(*) OVER (PARTITION BY timestamp_ms, series) AS n
  FROM long_snapshots
)
SELECT
  timestamp_ms,
  series,
  max(n) AS n,
  avg(value) AS mean,
  max(CASE WHEN value_rank = greatest(ceil(0.1E0 * n), 1) THEN value END) AS band_low,
  max(CASE WHEN value_rank = greatest(ceil(0.9E0 * n), 1) THEN value END) AS band_high
FROM ranked
GROUP BY timestamp_ms, series, series_order
ORDER BY timestamp_ms, series_order
