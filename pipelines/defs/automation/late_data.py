"""The late-data sensor: when a landing file appears, changes or disappears, re-run the months
whose rows changed and every month already scored after them (a month's trust remembers the
months before it, and its trailing windows read them), and say which months and why.

The cursor holds the last digest of the landing folder (see ingest/landing_digest.py). The first
evaluation only records it: scoring the history is the backfill's job, not the sensor's.
"""

import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb as duckdb_module
from dagster import (
    AssetKey, DefaultSensorStatus, Failure, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor,
)

from ...lib.duckdb_resource import DuckDBResource, open_database
from ...lib.months import (add_months, contiguous_ranges, last_complete_month, month_key, months_between, parse_month,
                           range_label)
from ...lib.partitions import first_partition_month
from ...lib.resources import TrustcardSettings
from ...lib.tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG, TRIGGER_TAG
from ...lib.writer_lock import WriterLockTimeout, writer_lock
from ..ingest.landing import LandingError
from ..ingest.landing_digest import NO_MONTH, WHOLE, Change, FeedDigest, changes, digest_landing
from ..jobs import monthly_job

SENSOR_NAME = "late_landing_files"
REASON_LIMIT = 1000  # characters of the reason tag; the sensor's log has all of it


def months_touched(found: list[Change], current: dict[str, FeedDigest], first: date, last: date,
                   scored: set[date] | frozenset = frozenset()) -> dict[date, list[Change]]:
    """The scoreable months each change touches: its own month and every month in `scored` (those
    materialised before) after it; every month with data or scored when the vendor list changed; the last
    complete month for rows without a readable month (they are quarantined in every run, so one
    run shows them)."""
    with_data = {parse_month(m) for d in current.values() for m in d.months if m not in (NO_MONTH, WHOLE)}
    out: dict[date, list[Change]] = {}
    for change in found:
        if change.month == WHOLE:  # the vendor list: every month with data, and every month scored
            months = sorted(with_data | set(scored)) or [last]
        elif change.month == NO_MONTH:
            months = [last]
        else:
            own = change.first_month()  # an announcement: from a re-date or cancellation before it fell due
            months = [own] + sorted(m for m in scored if m > own)
        for m in months:
            if first <= m <= last:
                out.setdefault(m, []).append(change)
    return out


def run_requests(touched: dict[date, list[Change]], serial: int = 0) -> list[RunRequest]:
    """One run per unbroken range of months (a single-run backfill each). `serial` counts the
    evaluations that found a change: a folder put back as it was before is a change again, and
    must not share its run key with the earlier run (Dagster starts a run key once, ever)."""
    requests = []
    for first, last in contiguous_ranges(list(touched)):
        changes_here = sorted({c for m in months_between(first, last) for c in touched[m]}, key=lambda c: (c.feed, c.month))
        reason = "; ".join(c.describe() for c in changes_here)
        own = [c.first_month() for c in changes_here if c.month not in (NO_MONTH, WHOLE)]
        if own and last > max(own):  # months scored after the change: their trust remembers it
            # (of this run's months only: a change in a month never scored reruns the later ones)
            after = max(add_months(max(own), 1), first)
            reason += f"; {range_label(after, last)} re-scored after it"
        # The key names the content, not only the reason: a second correction of the same file and
        # month reads the same ("9 -> 9 rows") but must run again (Dagster skips a key it has seen).
        contents = "|".join(f"{c.feed}/{c.month}={c.digest}" for c in changes_here)
        key = hashlib.sha256(f"{first}..{last}|{reason}|{contents}".encode()).hexdigest()[:16]
        requests.append(RunRequest(
            run_key=f"late-data-{first:%Y-%m}..{last:%Y-%m}-{serial}-{key}",
            tags={RANGE_START_TAG: month_key(first), RANGE_END_TAG: month_key(last), TRIGGER_TAG: "late-data",
                  REASON_TAG: reason if len(reason) <= REASON_LIMIT else reason[:REASON_LIMIT - 1] + "…"},
        ))
    return requests


SERIAL = "_changes"  # the cursor's count of evaluations that found a change (feeds are named without "_")


def _load(cursor: str | None) -> tuple[dict[str, FeedDigest] | None, int]:
    if not cursor:
        return None, 0
    saved = json.loads(cursor)
    serial = saved.pop(SERIAL, 0)
    return {f: FeedDigest.from_json(d) for f, d in saved.items()}, serial


def _dump(digests: dict[str, FeedDigest], serial: int) -> str:
    return json.dumps({**{f: d.to_json() for f, d in digests.items()}, SERIAL: serial}, sort_keys=True)


def months_scored(context: SensorEvaluationContext, database: str) -> set[date]:
    """The months the database holds scores for: a change re-scores the scored months after it.
    Read from the database, not the instance, whose record of materialisations may be another
    database's or miss runs made under another DAGSTER_HOME (review: a late June file re-scored
    June alone, and July-October stayed out of date). While a run holds the database (a sensor
    must not wait), the instance's record."""
    try:
        with writer_lock(database, holder="(the late-data sensor, reading)", timeout_s=0):
            if not Path(database).exists():
                return set()
            con = open_database(database, read_only=True)
            try:
                return {month for (month,) in con.execute("SELECT DISTINCT month FROM scorecard").fetchall()}
            except duckdb_module.CatalogException:  # nothing scored yet
                return set()
            finally:
                con.close()
    except (WriterLockTimeout, duckdb_module.IOException, Failure):
        return {date.fromisoformat(key) for key in context.instance.get_materialized_partitions(AssetKey("scorecard"))}


@sensor(
    name=SENSOR_NAME,
    job=monthly_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Watches the landing folder; a new, changed or removed file re-runs the months whose rows changed "
                "and the months scored after them.",
)
def late_landing_files(context: SensorEvaluationContext, settings: TrustcardSettings,
                       duckdb: DuckDBResource) -> SensorResult | SkipReason:
    previous, serial = _load(context.cursor)
    try:
        current = digest_landing(settings.landing, previous)
    except LandingError as exc:
        # The run would fail the same way; keep the last good digest and say why nothing ran.
        return SkipReason(f"landing folder cannot be read, no run started: {exc}")
    if previous is None:
        rows = sum(n for d in current.values() for _, n in d.months.values())
        return SensorResult(skip_reason=f"recorded the landing folder ({rows} rows); later changes trigger runs",
                            cursor=_dump(current, serial))
    found = changes(previous, current)
    scored = months_scored(context, duckdb.database) if found else set()
    touched = months_touched(found, current, first_partition_month(), last_complete_month(), scored)
    for change in found:
        context.log.info(f"changed: {change.describe()}")
    serial += bool(found)
    requests = run_requests(touched, serial)
    if not requests:
        why = "no change" if not found else "changes only in months outside the scored range"
        return SensorResult(skip_reason=why, cursor=_dump(current, serial))
    return SensorResult(run_requests=requests, cursor=_dump(current, serial))
