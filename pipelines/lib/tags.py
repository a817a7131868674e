"""Run tags trustcard sets and reads."""

# The tags that make one run cover a range of month partitions (a single-run backfill).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
# What started a run ("schedule", "late-data", "cli") and why, shown in the UI's run list.
TRIGGER_TAG = "trustcard/trigger"
REASON_TAG = "trustcard/reason"
# A `trustcard run`'s database file and process (host:pid): one Dagster instance may serve several
# databases, and only a run of the database whose lock we hold, by a process gone, is dead.
DATABASE_TAG = "trustcard/database"
PROCESS_TAG = "trustcard/process"
# Runs that write the DuckDB file carry this tag; an instance's run queue can allow one at a time
# (deploy/postgres/dagster.yaml), on top of the file lock every connection takes.
WRITER_TAG = {"trustcard/writer": "duckdb"}
