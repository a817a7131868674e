"""The jobs: every asset of a month range as one run, with or without the reports."""
from __future__ import annotations

from dagster import AssetSelection, Backoff, Jitter, RetryPolicy, define_asset_job, in_process_executor

from ..lib.partitions import monthly_partitions
from ..lib.tags import WRITER_TAG

MONTHLY_JOB = "monthly_scorecard"
TABLES_JOB = "monthly_tables"

# Transient failures (a mail server hiccup, a lock held past its timeout) are retried with
# backoff: 5 s, then 10 s, then 20 s, give or take a fifth. Structural input errors are raised
# as Failure(allow_retries=False) and fail at once.
transient_retries = RetryPolicy(max_retries=3, delay=5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)

monthly_job = define_asset_job(
    MONTHLY_JOB,
    selection=AssetSelection.all(),
    partitions_def=monthly_partitions,
    # DuckDB has one writer per file: every step runs in this one process, one after another.
    executor_def=in_process_executor,
    op_retry_policy=transient_retries,
    tags=WRITER_TAG,
    description="Landing -> staged -> validated -> metrics -> scorecard -> PDFs -> mail, for a month or a range of months.",
)

# The same months without the PDFs and mail: for reruns after late data, and tests about the tables.
tables_job = define_asset_job(
    TABLES_JOB,
    selection=AssetSelection.all() - AssetSelection.groups("reports", "delivery"),
    partitions_def=monthly_partitions,
    executor_def=in_process_executor,
    op_retry_policy=transient_retries,
    tags=WRITER_TAG,
    description="Landing -> staged -> validated -> metrics -> scorecard, without rendering or mailing reports.",
)
