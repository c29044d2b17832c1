"""Analytics over a run's results: Glue/Athena table definitions, the query pack, the run report data."""
