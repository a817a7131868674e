"""Run the monthly job for a range of months on a real Dagster instance, and say what happened.

Used by the `trustcard` command. Definitions are imported lazily: the partitions read
TRUSTCARD_FIRST_MONTH when they are built, so the caller sets the environment first.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .lib.months import last_complete_month, month_key, parse_month
from .lib.tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG, TRIGGER_TAG
from .lib.run_errors import root_message
from .lib.settings import REPO_ROOT, Settings, first_month_from_env
from .lib.writer_lock import writer_lock



class RunError(Exception):
    """A run that could not start or did not succeed; the message is for the user."""


@dataclass
class RunOutcome:
    run_id: str
    first: date
    last: date
    steps: list[tuple[str, str, dict]] = field(default_factory=list)  # (asset, status, metadata)


def parse_months(spec: str | None) -> tuple[date, date]:
    """'2025-11..2026-10', '2026-10', '2006-01..' (to the last complete month), or None (the last
    complete month)."""
    if not spec:
        last = last_complete_month()
        return last, last
    first_text, dots, last_text = spec.partition("..")
    first = parse_month(first_text)
    last = parse_month(last_text) if last_text else last_complete_month() if dots else first
    if last < first:
        raise RunError(f"--months {spec}: the range ends before it starts")
    return first, last


def check_range(first: date, last: date) -> None:
    start = parse_month(first_month_from_env())
    if first < start:
        raise RunError(
            f"{first:%Y-%m} is before TRUSTCARD_FIRST_MONTH={start:%Y-%m}; set TRUSTCARD_FIRST_MONTH earlier to score it"
        )
    if last > last_complete_month():
        raise RunError(f"{last:%Y-%m} is not a complete month yet; the last complete month is {last_complete_month():%Y-%m}")


def ensure_dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / "data" / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((REPO_ROOT / "dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return home


def run_months(first: date, last: date, reports: bool = True) -> RunOutcome:
    """Materialise every asset (or every table, reports=False) for months first..last as one
    Dagster run (single-run backfill)."""
    check_range(first, last)
    ensure_dagster_home()
    from dagster import DagsterInstance

    from .definitions import MONTHLY_JOB, TABLES_JOB, defs

    job = defs.resolve_job_def(MONTHLY_JOB if reports else TABLES_JOB)
    # The whole run holds the database: a second run started meanwhile waits, then runs.
    holder = f"trustcard run {first:%Y-%m}..{last:%Y-%m}"
    with writer_lock(Settings.from_env().db_path, holder=holder, on_wait=_tell), DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={RANGE_START_TAG: month_key(first), RANGE_END_TAG: month_key(last), TRIGGER_TAG: "cli",
                  REASON_TAG: f"trustcard run --months {first:%Y-%m}..{last:%Y-%m}"},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
            raise_on_error=False,
        )
    outcome = RunOutcome(result.run_id, first, last)
    failure = None
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            meta = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
            name = mat.asset_key.to_user_string()
            if not any(s[0] == name for s in outcome.steps):
                outcome.steps.append((name, "ok", meta))
        elif event.event_type_value == "STEP_FAILURE" and failure is None:
            error = event.event_specific_data.error
            failure = f"{event.step_key}: {root_message(error)}"
    if not result.success:
        raise RunError(f"run {result.run_id[:8]} failed at {failure or 'an unknown step'}")
    return outcome


def months_scored_after(last: date) -> list[date]:
    """Months after `last` whose scorecard this Dagster instance has materialised."""
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.get() as instance:
        keys = instance.get_materialized_partitions(AssetKey("scorecard"))
    return sorted(m for m in map(date.fromisoformat, keys) if m > last)


def _tell(message: str) -> None:
    print(f"trustcard: {message}", file=sys.stderr, flush=True)
