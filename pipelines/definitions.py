"""The one Dagster code location of trustcard: assets, checks, jobs, schedule, sensors and resources."""
from __future__ import annotations

from dagster import Definitions

from .defs.automation.alerts import alert_sensors
from .defs.automation.late_data import late_landing_files
from .defs.automation.schedule import build_schedule, schedule_time_from_env
from .defs.ingest.assets import staged_assets
from .defs.jobs import MONTHLY_JOB, TABLES_JOB, monthly_job, tables_job
from .defs.mail.assets import mail_assets
from .defs.quality.assets import validated_assets
from .defs.reports.assets import report_assets
from .defs.scorecard.assets import metric_assets, scorecard
from .defs.scorecard.model import load_model
from .lib.duckdb_resource import DuckDBResource
from .lib.resources import TrustcardSettings
from .lib.settings import Settings

__all__ = ["MONTHLY_JOB", "TABLES_JOB", "build_definitions", "defs"]


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    day, hour = schedule_time_from_env()
    return Definitions(
        assets=[*staged_assets, *validated_assets, *metric_assets, scorecard, *report_assets, *mail_assets],
        jobs=[monthly_job, tables_job],
        schedules=[build_schedule(day, hour, load_model().maturity_days)],
        sensors=[late_landing_files, *alert_sensors],
        resources={
            "duckdb": DuckDBResource(database=str(settings.db_path)),
            "settings": TrustcardSettings.from_settings(settings),
        },
    )


defs = build_definitions()
