-- trip-snapshots: one simulation's market over time, its snapshots joined with its trips.
-- One row per snapshot of replicate :replicate of point :point_index (60 s grid; the row at T
-- counts the market after every event before T), with the trips matched, completed and cancelled
-- in [T - 60 s, T) and their average fare and pickup distance. snapshot-bands gives the same
-- point over all its replicates.
-- Parameters: :run_id, :point_index, :replicate
-- Portable SQL: runs unchanged on Athena (Trino) and DuckDB (`ridesweep query trip-snapshots`).
WITH snapshots AS (
  SELECT * FROM snapshot_counts
  WHERE run_id = :run_id AND status = 'success' AND point_index = :point_index
    AND replicate = :replicate
),
trips AS (
  SELECT * FROM trip_data
  WHERE run_id = :run_id AND status = 'success' AND point_index = :point_index
    AND replicate = :replicate
),
events AS (
  -- each trip's match, drop-off and cancellation as rows, from a single scan of trip_data
  SELECT
    k.kind,
    CASE k.kind
      WHEN 'matched' THEN t.matched_at_ms
      WHEN 'completed' THEN t.dropoff_at_ms
      ELSE t.cancelled_at_ms
    END AS at_ms,
    t.fare,
    t.pickup_distance_km
  FROM trips t
  CROSS JOIN (VALUES ('matched'), ('completed'), ('cancelled')) AS k (kind)
),
intervals AS (
  SELECT
    (CAST(floor(at_ms / 60000.0) AS BIGINT) + 1) * 60000 AS timestamp_ms,
    sum(CASE WHEN kind = 'matched' THEN 1 ELSE 0 END) AS trips_matched,
    sum(CASE WHEN kind = 'completed' THEN 1 ELSE 0 END) AS trips_completed,
    sum(CASE WHEN kind = 'cancelled' THEN 1 ELSE 0 END) AS trips_cancelled,
    avg(CASE WHEN kind = 'matched' THEN fare END) AS avg_fare_matched,
    avg(CASE WHEN kind = 'matched' THEN pickup_distance_km END) AS avg_pickup_km_matched
  FROM events
  WHERE at_ms IS NOT NULL
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
  coalesce(i.trips_matched, 0) AS trips_matched,
  coalesce(i.trips_completed, 0) AS trips_completed_in_interval,
  coalesce(i.trips_cancelled, 0) AS trips_cancelled_in_interval,
  i.avg_fare_matched,
  i.avg_pickup_km_matched
FROM snapshots s
LEFT JOIN intervals i ON i.timestamp_ms = s.timestamp_ms
ORDER BY s.timestamp_ms
