"""Run tags trustcard sets and reads."""

# The tags that make one run cover a range of month partitions (a single-run backfill).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
# What started a run ("schedule", "late-data", "cli") and why, shown in the UI's run list.
TRIGGER_TAG = "trustcard/trigger"
REASON_TAG = "trustcard/reason"
# Runs that write the DuckDB file carry this tag; an instance's run queue can allow one at a time
# (deploy/postgres/dagster.yaml), on top of the file lock every connection takes.
WRITER_TAG = {"trustcard/writer": "duckdb"}
