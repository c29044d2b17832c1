-- trip-snapshots: one point's market over time, its snapshots joined with its trips.
-- One row per snapshot (60 s grid; the row at T counts the market after every event before T),
-- with the trips matched, completed and cancelled in [T - 60 s, T) and their average fare and
-- pickup distance.
-- Parameters: :run_id, :point_index
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query trip-snapshots`).
WITH snapshots AS (
  SELECT * FROM snapshot_counts
  WHERE run_id = :run_id AND status = 'success' AND point_index = :point_index
),
trips AS (
  SELECT * FROM trip_data
  WHERE run_id = :run_id AND status = 'success' AND point_index = :point_index
),
matched AS (
  SELECT
    (CAST(floor(matched_at_ms / 60000.0) AS BIGINT) + 1) * 60000 AS timestamp_ms,
    count(*) AS trips_matched,
    avg(fare) AS avg_fare_matched,
    avg(pickup_distance_km) AS avg_pickup_km_matched
  FROM trips
  GROUP BY 1
),
completed AS (
  SELECT (CAST(floor(dropoff_at_ms / 60000.0) AS BIGINT) + 1) * 60000 AS timestamp_ms, count(*) AS n
  FROM trips
  WHERE dropoff_at_ms IS NOT NULL
  GROUP BY 1
),
cancelled AS (
  SELECT (CAST(floor(cancelled_at_ms / 60000.0) AS BIGINT) + 1) * 60000 AS timestamp_ms, count(*) AS n
  FROM trips
  WHERE cancelled_at_ms IS NOT NULL
  GROUP BY 1
)
SELECT
  s.timestamp_ms,
  s.riders_browsing,
  s.riders_waiting,
  s.riders_in_transit,
  s.drivers_idle,
  s.drivers_en_route,
  s.drivers_on_trip,
  s.drivers_off_duty,
  s.trips_completed,
  coalesce(m.trips_matched, 0) AS trips_matched,
  coalesce(c.n, 0) AS trips_completed_in_interval,
  coalesce(x.n, 0) AS trips_cancelled_in_interval,
  m.avg_fare_matched,
  m.avg_pickup_km_matched
FROM snapshots s
LEFT JOIN matched m ON m.timestamp_ms = s.timestamp_ms
LEFT JOIN completed c ON c.timestamp_ms = s.timestamp_ms
LEFT JOIN cancelled x ON x.timestamp_ms = s.timestamp_ms
ORDER BY s.timestamp_ms
