"""Where trustcard reads and writes, from the environment variables the data contract names."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FIRST_MONTH = "2024-01"
# DuckDB's own default is 80% of the machine's memory; a bounded buffer pool (DuckDB spills sorts,
# joins and temp tables to `<db>.tmp` beyond it) keeps a 10M-row backfill's process under 4 GiB.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GiB"
MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


DEFAULT_REPORTS_DIR = REPO_ROOT / "reports" / "out"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    db_path: Path
    reports_dir: Path
    first_month: str
    as_of: date

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            landing_dir=Path(os.environ.get("TRUSTCARD_LANDING_DIR", REPO_ROOT / "data" / "landing")),
            db_path=Path(os.environ.get("TRUSTCARD_DB", REPO_ROOT / "data" / "trustcard.duckdb")),
            reports_dir=Path(os.environ.get("TRUSTCARD_REPORTS_DIR", DEFAULT_REPORTS_DIR)),
            first_month=first_month_from_env(),
            as_of=as_of_from_env(),
        )


def first_month_from_env() -> str:
    value = os.environ.get("TRUSTCARD_FIRST_MONTH", DEFAULT_FIRST_MONTH)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", value.strip()):  # '2026-1': strptime reads it as January
            raise ValueError(value)
        parsed = datetime.strptime(value.strip(), "%Y-%m")
    except ValueError as exc:
        raise ValueError(f"TRUSTCARD_FIRST_MONTH must look like 2024-01, got {value!r}") from exc
    if parsed.year < 1000:
        # Dagster names a monthly partition with strftime, which does not pad a year before 1000
        # ('999-01-01') and then cannot read the name back.
        raise ValueError(f"TRUSTCARD_FIRST_MONTH must be 1000-01 or later (Dagster's monthly partitions), got {value!r}")
    return f"{parsed:%Y-%m}"  # '2013-1' as '2013-01'


def as_of_from_env() -> date:
    """The run's as-of date: facts (deliveries, openings, events) dated after it are rejected.

    Defaults to today in UTC; set TRUSTCARD_AS_OF=YYYY-MM-DD to pin it (tests, reruns of history).
    """
    value = os.environ.get("TRUSTCARD_AS_OF")
    if not value:
        return datetime.now(timezone.utc).date()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):  # Python 3.11 also reads '20261129'
            raise ValueError(value)
        as_of = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"TRUSTCARD_AS_OF must look like 2026-10-31, got {value!r}") from exc
    # Validation reaches years past it (a date too far ahead to be a promise): 9999-12-31 failed
    # a run with a bare "date value out of range" (review).
    if not date(1000, 1, 1) <= as_of <= date(9899, 12, 31):
        raise ValueError(f"TRUSTCARD_AS_OF must be from 1000-01-01 to 9899-12-31, got {value!r}")
    return as_of


def as_of_note(as_of: date) -> str:
    """What to add where the as-of date is printed: a date after today accepts facts dated up to
    it, which have not happened yet (a typo in TRUSTCARD_AS_OF, or a clock set wrong)."""
    today = datetime.now(timezone.utc).date()
    if as_of <= today:
        return ""
    return f"; AFTER TODAY ({today}): facts dated up to it are accepted as if they had happened"


def duckdb_memory_limit_from_env() -> str:
    """TRUSTCARD_DUCKDB_MEMORY_LIMIT (e.g. 2GiB, 500MB): the most memory DuckDB keeps before spilling."""
    value = os.environ.get("TRUSTCARD_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT).strip()
    if not MEMORY_LIMIT.fullmatch(value):
        raise ValueError(f"TRUSTCARD_DUCKDB_MEMORY_LIMIT must look like 2GiB or 500MB, got {value!r}")
    return value
