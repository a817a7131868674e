"""Shared test fixtures: tiny landing folders and real Dagster runs on temporary databases.

Partitions read TRUSTCARD_FIRST_MONTH when the definitions are imported, so it is set here,
before any pipelines import, early enough for data of any era (2006 onwards).
"""
from __future__ import annotations

import csv
import os
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("TRUSTCARD_FIRST_MONTH", "2006-01")
# A developer's own mail server or fault-injection settings must never reach a test run.
for _name in [n for n in os.environ if n.startswith(("TRUSTCARD_SMTP_", "TRUSTCARD_MAIL_", "TRUSTCARD_TEST_"))]:
    del os.environ[_name]
warnings.filterwarnings("ignore")

from pipelines.lib.duckdb_resource import open_database  # noqa: E402
from pipelines.lib.months import month_key  # noqa: E402
from pipelines.lib.settings import Settings  # noqa: E402

VENDOR_HEADER = ["vendor_id", "vendor_name", "category", "is_self", "report_recipients"]
DELIVERY_HEADER = ["delivery_id", "vendor_id", "promised_date", "delivered_date", "qty_ordered",
                   "qty_delivered", "qty_rejected", "order_value"]
COMPLAINT_HEADER = ["complaint_id", "vendor_id", "opened_at", "acknowledged_at", "resolved_at",
                    "promised_resolution_at", "severity", "category", "disclosed_by", "apologized",
                    "explained", "restitution", "summary"]
ANNOUNCEMENT_HEADER = ["announcement_id", "vendor_id", "product", "event", "event_date",
                       "promised_ship_date", "presold"]
AS_OF = date(2026, 11, 26)


def write_csv(path: Path, header: list[str], rows: list[dict | list]) -> Path:
    """Write a CSV; rows are dicts (missing keys empty) or lists in header order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


class Landing:
    """A landing folder under construction."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def vendors(self, rows: list[dict | list]) -> "Landing":
        write_csv(self.root / "vendors.csv", VENDOR_HEADER, rows)
        return self

    def deliveries(self, rows: list[dict | list], name: str = "deliveries.csv") -> "Landing":
        write_csv(self.root / "deliveries" / name, DELIVERY_HEADER, rows)
        return self

    def complaints(self, rows: list[dict | list], name: str = "complaints.csv") -> "Landing":
        write_csv(self.root / "complaints" / name, COMPLAINT_HEADER, rows)
        return self

    def announcements(self, rows: list[dict | list], name: str = "announcements.csv") -> "Landing":
        write_csv(self.root / "announcements" / name, ANNOUNCEMENT_HEADER, rows)
        return self


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


def make_dagster_home(home: Path) -> Path:
    """A fresh Dagster instance folder (no telemetry)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return home


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = make_dagster_home(tmp_path / "dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def run_months(landing_dir: Path, db_path: Path, first: date, last: date | None = None,
               reports_dir: Path | None = None, as_of: date = AS_OF, raise_on_error: bool = True,
               reports: bool = False, dagster_home: Path | None = None):
    """Materialise the assets for months first..last as one run on a real (temporary) instance:
    the tables only, or with reports=True the PDFs too. Returns the ExecuteInProcessResult.
    DAGSTER_HOME must point to a temporary folder (the dagster_home fixture), or pass dagster_home
    (module-scoped fixtures): it is created and used for this run only."""
    if dagster_home is not None:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DAGSTER_HOME", str(make_dagster_home(dagster_home)))
            return run_months(landing_dir, db_path, first, last, reports_dir, as_of, raise_on_error, reports)
    from dagster import DagsterInstance

    from pipelines.definitions import MONTHLY_JOB, TABLES_JOB, build_definitions
    from pipelines.lib.tags import RANGE_END_TAG, RANGE_START_TAG

    settings = Settings(landing_dir=landing_dir, db_path=db_path,
                        reports_dir=reports_dir or db_path.parent / "reports",
                        first_month=os.environ["TRUSTCARD_FIRST_MONTH"], as_of=as_of)
    job = build_definitions(settings).resolve_job_def(MONTHLY_JOB if reports else TABLES_JOB)
    with DagsterInstance.get() as instance:
        return job.execute_in_process(
            instance=instance,
            tags={RANGE_START_TAG: month_key(first), RANGE_END_TAG: month_key(last or first)},
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            raise_on_error=raise_on_error,
        )


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = open_database(db_path, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "trustcard.duckdb"
