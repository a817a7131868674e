"""The one Dagster code location of trustcard: assets, checks, job, schedule and resources."""
from __future__ import annotations

from dagster import AssetSelection, Definitions, build_schedule_from_partitioned_job, define_asset_job, in_process_executor

from .defs.ingest.assets import staged_assets
from .defs.quality.assets import validated_assets
from .defs.reports.assets import report_assets
from .defs.scorecard.assets import metric_assets, scorecard
from .lib.duckdb_resource import DuckDBResource
from .lib.partitions import monthly_partitions
from .lib.resources import TrustcardSettings
from .lib.settings import Settings

MONTHLY_JOB = "monthly_scorecard"
TABLES_JOB = "monthly_tables"

monthly_job = define_asset_job(
    MONTHLY_JOB,
    selection=AssetSelection.all(),
    partitions_def=monthly_partitions,
    # DuckDB has one writer per file: every step runs in this one process, one after another.
    executor_def=in_process_executor,
    description="Landing -> staged -> validated -> metrics -> scorecard -> PDFs, for a month or a range of months.",
)

# The same months without the PDFs: for reruns after late data, and for tests about the tables.
tables_job = define_asset_job(
    TABLES_JOB,
    selection=AssetSelection.all() - AssetSelection.groups("reports"),
    partitions_def=monthly_partitions,
    executor_def=in_process_executor,
    description="Landing -> staged -> validated -> metrics -> scorecard, without rendering reports.",
)

# On the 3rd at 06:00 UTC, score the month that just closed.
monthly_schedule = build_schedule_from_partitioned_job(monthly_job, day_of_month=3, hour_of_day=6)


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    return Definitions(
        assets=[*staged_assets, *validated_assets, *metric_assets, scorecard, *report_assets],
        jobs=[monthly_job, tables_job],
        schedules=[monthly_schedule],
        resources={
            "duckdb": DuckDBResource(database=str(settings.db_path)),
            "settings": TrustcardSettings.from_settings(settings),
        },
    )


defs = build_definitions()
