"""Running unattended, on a real Dagster instance: the schedule's ticks, single-run backfills,
the late-data sensor, and the run that says which months it re-scored and why."""
from __future__ import annotations

import hashlib
import json
import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, build_schedule_context, build_sensor_context

from conftest import Landing, query, run_months
from pipelines.defs.automation.schedule import SCHEDULE_NAME, months_to_score, schedule_time_from_env
from pipelines.lib.months import contiguous_ranges, months_between
from pipelines.lib.duckdb_resource import DuckDBResource
from pipelines.lib.resources import TrustcardSettings
from pipelines.lib.settings import Settings
from pipelines.lib.tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG, TRIGGER_TAG

FIRST, LAST = date(2024, 11, 1), date(2026, 10, 1)  # 24 months
TABLES = ["vendors", "deliveries", "complaints", "announcement_events", "quarantine", "ingest_log",
          "delivery_metrics", "complaint_recovery", "complaint_metrics", "announcement_metrics",
          "expectation_results", "scorecard"]


def two_years(landing: Landing) -> Landing:
    """Three vendors, a delivery and a complaint every month for 24 months, one announcement."""
    landing.vendors([["V1", "Acme", "parts", "", "buyer@acme.test"], ["V2", "Bolt", "parts", "", ""],
                     ["V3", "Cog", "parts", "", ""]])
    deliveries, complaints = [], []
    for i, m in enumerate(months_between(FIRST, LAST)):
        for v, late in (("V1", 0), ("V2", i % 3), ("V3", 5)):
            promised = m.replace(day=10)
            delivered = promised.replace(day=10 + late)
            deliveries.append([f"D-{v}-{m:%Y%m}", v, promised.isoformat(), delivered.isoformat(), "10", "10", "0", "100"])
        complaints.append([f"C-{m:%Y%m}", "V2", f"{m:%Y-%m}-05T09:00:00Z", f"{m:%Y-%m}-05T15:00:00Z",
                           f"{m:%Y-%m}-08T09:00:00Z", f"{m:%Y-%m}-09T09:00:00Z", "high", "billing", "customer",
                           "true", "true", "false", "invoice wrong"])
    landing.deliveries(deliveries, name="2024-2026.csv")
    landing.complaints(complaints)
    landing.announcements([["A1", "V3", "Gizmo", "announced", "2025-01-10", "2025-06-30", "true"],
                           ["A1", "V3", "", "shipped", "2025-08-01", "", ""]])
    return landing


def table_digests(db: Path) -> dict[str, str]:
    """A hash of each table's rows in a fixed order: equal digests = byte-identical contents."""
    return {t: hashlib.sha256(repr(query(db, f"SELECT * FROM {t} ORDER BY ALL")).encode()).hexdigest() for t in TABLES}


def settings_resource(landing: Path, db: Path) -> TrustcardSettings:
    return TrustcardSettings.from_settings(Settings(landing, db, db.parent / "reports", "2006-01", date(2026, 11, 26)))


# --- schedule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("tick, maturity, expected", [
    # October closed. At the previous tick (Oct 3, data to Sep 30) August (matures Sep 1 + 60
    # days = Oct 31) and September were provisional: both are scored again, August now final.
    (date(2026, 11, 3), 60, (date(2026, 8, 1), date(2026, 10, 1))),
    # December matures on Jan 1 + 60 days = Mar 2: provisional at the Feb 3 tick (data to Jan 31)...
    (date(2026, 3, 3), 60, (date(2025, 12, 1), date(2026, 2, 1))),
    # ...and still at the Mar 3 tick, whose data reached Feb 28 only: scored again on Apr 3, final
    # then. Judged at the Mar 3 tick itself it was taken for final and never scored again (review).
    (date(2026, 4, 3), 60, (date(2025, 12, 1), date(2026, 3, 1))),
    # January (matures Feb 1 + 60 = Apr 2) likewise, at the Apr 3 tick (data to Mar 31)
    (date(2026, 5, 3), 60, (date(2026, 1, 1), date(2026, 4, 1))),
    # with 30 days to mature, January (ended Feb 1, matured Mar 3) was provisional at the Feb 28
    # tick and is scored again now; December (matured Jan 31) was final by then.
    (date(2026, 3, 28), 30, (date(2026, 1, 1), date(2026, 2, 1))),
    # a 90-day maturity: July (matures Aug 1 + 90 = Oct 30) was provisional at the Oct 3 tick
    (date(2026, 11, 3), 90, (date(2026, 7, 1), date(2026, 10, 1))),
    # never before the first partition
    (date(2006, 2, 3), 60, (date(2006, 1, 1), date(2006, 1, 1))),
])
def test_schedule_scores_the_closed_month_and_rescores_the_maturing_one(tick, maturity, expected):
    assert months_to_score(tick, maturity, date(2006, 1, 1)) == expected


@pytest.mark.parametrize("maturity", [15, 30, 45, 60, 61, 90, 120])
@pytest.mark.parametrize("day", [1, 3, 28])
def test_every_month_is_last_scored_by_a_run_whose_data_had_matured_it(maturity: int, day: int):
    # Three years of monthly ticks, each run's data reaching the end of the month it closes: the
    # last run to score a month must see it final (its end + maturity_days on or before the data's
    # last day), as scorecard_pillars.sql judges `provisional`.
    from datetime import timedelta

    from pipelines.lib.months import add_months

    first_allowed = date(2023, 1, 1)
    last_scored_with: dict[date, date] = {}
    for k in range(1, 40):
        tick = add_months(first_allowed, k).replace(day=day)
        first, last = months_to_score(tick, maturity, first_allowed)
        data_reaches = tick.replace(day=1) - timedelta(days=1)
        for month in months_between(first, last):
            last_scored_with[month] = data_reaches
    for month in months_between(first_allowed, date(2025, 6, 1)):  # matured before the last tick
        assert add_months(month, 1) + timedelta(days=maturity) <= last_scored_with[month], month


def test_a_tick_before_the_first_month_closes_skips_instead_of_asking_for_a_backwards_range(
        tmp_path: Path, dagster_home: Path, landing: Landing, monkeypatch: pytest.MonkeyPatch):
    # Review: with TRUSTCARD_FIRST_MONTH the current month, the tick asked for 2026-11..2026-10.
    from pipelines.definitions import build_definitions

    monkeypatch.setenv("TRUSTCARD_FIRST_MONTH", "2026-11")

    defs = build_definitions(Settings(landing.root, tmp_path / "t.duckdb", tmp_path / "reports", "2026-11",
                                      date(2026, 11, 26)))
    with DagsterInstance.get() as instance:
        data = defs.get_schedule_def(SCHEDULE_NAME).evaluate_tick(build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 3, 6, tzinfo=timezone.utc)))
    assert not data.run_requests
    assert data.skip_message == "2026-10 closed, before TRUSTCARD_FIRST_MONTH 2026-11: no month to score yet"


def test_schedule_day_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRUSTCARD_SCHEDULE_DAY", "5")
    monkeypatch.setenv("TRUSTCARD_SCHEDULE_HOUR", "22")
    assert schedule_time_from_env() == (5, 22)
    monkeypatch.setenv("TRUSTCARD_SCHEDULE_DAY", "31")
    with pytest.raises(ValueError, match="TRUSTCARD_SCHEDULE_DAY"):
        schedule_time_from_env()


def test_a_schedule_tick_runs_exactly_its_months(landing: Landing, tmp_path: Path, dagster_home: Path):
    from pipelines.definitions import MONTHLY_JOB, build_definitions

    two_years(landing)
    db = tmp_path / "t.duckdb"
    defs = build_definitions(Settings(landing.root, db, tmp_path / "reports", "2006-01", date(2026, 11, 26)))
    tick = datetime(2026, 11, 3, 6, tzinfo=timezone.utc)
    with DagsterInstance.get() as instance:
        schedule = defs.get_schedule_def(SCHEDULE_NAME)
        assert schedule.cron_schedule == "0 6 3 * *"
        data = schedule.evaluate_tick(build_schedule_context(instance=instance, scheduled_execution_time=tick))
        [request] = data.run_requests
        assert request.tags[RANGE_START_TAG] == "2026-08-01" and request.tags[RANGE_END_TAG] == "2026-10-01"
        assert request.tags[TRIGGER_TAG] == "schedule" and "2026-10 closed" in request.tags[REASON_TAG]
        # Launch what the tick asked for (tables only, to stay quick) and see which partitions it wrote.
        result = defs.resolve_job_def("monthly_tables").execute_in_process(instance=instance, tags=request.tags)
        assert result.success
        written = instance.get_materialized_partitions(AssetKey("scorecard"))
    assert written == {"2026-08-01", "2026-09-01", "2026-10-01"}
    assert query(db, "SELECT DISTINCT month FROM scorecard ORDER BY 1") == [(date(2026, m, 1),) for m in (8, 9, 10)]
    assert MONTHLY_JOB == schedule.job_name


# --- backfill -----------------------------------------------------------------------------------

def test_a_24_month_backfill_is_one_run_and_a_second_changes_nothing(landing: Landing, tmp_path: Path, dagster_home: Path):
    two_years(landing)
    db = tmp_path / "b.duckdb"
    first = run_months(landing.root, db, FIRST, LAST)
    assert first.success
    with DagsterInstance.get() as instance:
        assert len(instance.get_run_records()) == 1
        assert len(instance.get_materialized_partitions(AssetKey("scorecard"))) == 24
    before = table_digests(db)
    assert query(db, "SELECT count(DISTINCT month), count(*) FROM scorecard") == [(24, 72)]
    assert run_months(landing.root, db, FIRST, LAST).success
    assert table_digests(db) == before


# --- late data ----------------------------------------------------------------------------------

def test_ranges_of_months_are_unbroken():
    m = [date(2026, 1, 1), date(2026, 3, 1), date(2026, 2, 1), date(2026, 6, 1), date(2025, 12, 1)]
    assert contiguous_ranges(m) == [(date(2025, 12, 1), date(2026, 3, 1)), (date(2026, 6, 1), date(2026, 6, 1))]


def _tick(sensor, instance, cursor, landing: Path, db: Path):
    context = build_sensor_context(instance=instance, cursor=cursor,
                                   resources={"settings": settings_resource(landing, db),
                                              "duckdb": DuckDBResource(database=str(db))})
    return sensor.evaluate_tick(context)


def test_the_sensor_reruns_the_months_the_database_scored_whatever_instance_scored_them(
        landing: Landing, tmp_path: Path, dagster_home: Path):
    # Review: the sensor took the months scored from the Dagster instance; a backfill made under
    # another DAGSTER_HOME (the command's default, production on PostgreSQL) left it knowing none,
    # and a late June file re-scored June alone while July to October stayed out of date.
    from pipelines.defs.automation.late_data import late_landing_files

    two_years(landing)
    db = tmp_path / "l.duckdb"
    assert run_months(landing.root, db, FIRST, LAST, dagster_home=tmp_path / "another_home").success
    with DagsterInstance.get() as instance:  # this instance ran nothing
        assert not instance.get_materialized_partitions(AssetKey("scorecard"))
        baseline = _tick(late_landing_files, instance, None, landing.root, db)
        landing.deliveries([["D-late-6", "V1", "2026-06-20", "2026-06-29", "5", "5", "0", ""]], name="late-june.csv")
        [request] = _tick(late_landing_files, instance, baseline.cursor, landing.root, db).run_requests
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-06-01", "2026-10-01")


def test_a_late_file_reruns_its_month_and_the_months_scored_after_it(landing: Landing, tmp_path: Path,
                                                                     dagster_home: Path):
    from pipelines.defs.automation.late_data import late_landing_files
    from pipelines.definitions import build_definitions

    two_years(landing)
    db = tmp_path / "l.duckdb"
    assert run_months(landing.root, db, FIRST, LAST).success
    sql = "SELECT month, vendor_id, deliveries_due, on_time_rate, trust_score FROM scorecard ORDER BY ALL"
    before = set(query(db, sql))
    with DagsterInstance.get() as instance:
        baseline = _tick(late_landing_files, instance, None, landing.root, db)
        assert not baseline.run_requests and "recorded" in baseline.skip_message
        quiet = _tick(late_landing_files, instance, baseline.cursor, landing.root, db)
        assert not quiet.run_requests

        # Late rows for March 2026 arrive in a new file: March changes, and the trust of every
        # month scored after it, which remembers March.
        landing.deliveries([["D-late-1", "V1", "2026-03-20", "2026-03-29", "5", "5", "0", ""],
                            ["D-late-2", "V1", "2026-03-21", "", "5", "", "", ""]], name="late-march.csv")
        late = _tick(late_landing_files, instance, quiet.cursor, landing.root, db)
        [request] = late.run_requests
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-03-01", "2026-10-01")
        assert request.tags[TRIGGER_TAG] == "late-data"
        assert request.tags[REASON_TAG] == ("deliveries 2026-03: 3 -> 5 rows (deliveries/late-march.csv); "
                                            "2026-04..2026-10 re-scored after it")

        runs_before = len(instance.get_run_records())
        defs = build_definitions(Settings(landing.root, db, tmp_path / "reports", "2006-01", date(2026, 11, 26)))
        result = defs.resolve_job_def("monthly_tables").execute_in_process(instance=instance, tags=request.tags)
        assert result.success
        assert len(instance.get_run_records()) == runs_before + 1
        written = {e.partition for e in result.get_asset_materialization_events() if e.asset_key == AssetKey("scorecard")}
        assert written == {f"2026-{m:02d}-01" for m in range(3, 11)}
        assert not _tick(late_landing_files, instance, late.cursor, landing.root, db).run_requests

        # A cursor of digests made another way (an older trustcard or DuckDB) cannot be compared
        # month by month: with the same files nothing changed and nothing runs; with a new file,
        # every month of its feed runs again, not none.
        older = {feed: {**digest, "months": {m: ["md5 of the old way", n] for m, (_, n) in digest["months"].items()}}
                 for feed, digest in json.loads(late.cursor).items() if feed != "_changes"}
        for digest in older.values():
            digest.pop("version")
        same = _tick(late_landing_files, instance, json.dumps(older), landing.root, db)
        assert not same.run_requests
        assert not _tick(late_landing_files, instance, same.cursor, landing.root, db).run_requests
        landing.deliveries([["D-late-3", "V1", "2026-04-20", "", "5", "", "", ""]], name="late-april.csv")
        [upgraded] = _tick(late_landing_files, instance, json.dumps(older), landing.root, db).run_requests
        assert (upgraded.tags[RANGE_START_TAG], upgraded.tags[RANGE_END_TAG]) == (f"{FIRST:%Y-%m-%d}", "2026-10-01")
        assert "late-april.csv" in upgraded.tags[REASON_TAG] and "a removed file" not in upgraded.tags[REASON_TAG]
        (landing.root / "deliveries" / "late-april.csv").unlink()  # the scores below are without it

    after = set(query(db, sql))
    changed = after - before
    assert min(m for m, *_ in changed) == date(2026, 3, 1)
    [(_, _, due, on_time, _)] = [row for row in changed if row[1] == "V1" and row[0] == date(2026, 3, 1)]
    assert (due, on_time) == (3, pytest.approx(1 / 3))  # 1 on time + 1 late + 1 still open
    # V1's trust after March remembers its bad March: lower in April than before the late file.
    april = {row[1]: row[4] for row in after if row[0] == date(2026, 4, 1)}
    april_before = {row[1]: row[4] for row in before if row[0] == date(2026, 4, 1)}
    assert april["V1"] < april_before["V1"]
    assert len(after) == len(before)
    # The same rows as scoring every month afresh on the files as they are now.
    fresh = tmp_path / "fresh.duckdb"
    assert run_months(landing.root, fresh, FIRST, LAST).success
    assert after == set(query(fresh, sql))


def test_a_late_cancellation_reruns_from_the_month_it_was_made(landing: Landing, tmp_path: Path):
    # An announcement due 2027-06 cancelled in 2026-09: its rows are staged under June 2027, past
    # the scored months, but it is judged (cancelled) from September 2026 on: the sensor reruns
    # September and every month scored after it (review: it ran nothing).
    from pipelines.defs.automation.late_data import months_touched
    from pipelines.defs.ingest.landing_digest import changes, digest_landing

    landing.vendors([["V1", "One", "c", "false", ""]])
    events = [["A1", "V1", "P", "announced", "2026-01-05", "2027-06-15", "true"]]
    landing.announcements(events)
    before = digest_landing(landing.root)
    landing.announcements(events + [["A1", "V1", "", "cancelled", "2026-09-10", "", ""]])
    after = digest_landing(landing.root)
    [change] = changes(before, after)
    assert (change.month, change.since) == ("2027-06", "2026-09")
    scored = {date(2026, m, 1) for m in range(1, 11)}
    touched = months_touched([change], after, date(2026, 1, 1), date(2026, 10, 1), scored)
    assert sorted(touched) == [date(2026, 9, 1), date(2026, 10, 1)]


def test_a_row_with_bad_bytes_moved_to_another_file_and_line_changes_no_digest(tmp_path: Path):
    """A row's reading problem names its line ('... of line 3'): the digest leaves the line out, so
    moving the row changes nothing, while mending its bytes does."""
    from pipelines.defs.ingest.feeds import FEEDS_BY_NAME
    from pipelines.defs.ingest.landing_digest import digest_feed

    folder = tmp_path / "landing" / "deliveries"
    folder.mkdir(parents=True)
    header, good = b"delivery_id,vendor_id,promised_date,qty_ordered\n", b"D1,V1,2026-09-10,5\n"
    bad = b"D2,V\xff1,2026-09-11,5\n"
    (folder / "a.csv").write_bytes(header + good + bad)
    feed = FEEDS_BY_NAME["deliveries"]
    before = digest_feed(tmp_path / "landing", feed).months
    (folder / "a.csv").write_bytes(header + good)
    (folder / "b.csv").write_bytes(header + bad)  # line 2 of another file now
    assert digest_feed(tmp_path / "landing", feed).months == before
    (folder / "b.csv").write_bytes(header + b"D2,V1,2026-09-11,5\n")
    assert digest_feed(tmp_path / "landing", feed).months != before


def test_the_sensor_judges_content_not_file_names(landing: Landing, tmp_path: Path, dagster_home: Path):
    from pipelines.defs.automation.late_data import late_landing_files

    two_years(landing)
    db = tmp_path / "never-opened.duckdb"
    deliveries = landing.root / "deliveries"
    with DagsterInstance.get() as instance:
        cursor = _tick(late_landing_files, instance, None, landing.root, db).cursor
        # The same rows under another name, split in two files: nothing to do.
        lines = (deliveries / "2024-2026.csv").read_text().splitlines(keepends=True)
        (deliveries / "2024-2026.csv").unlink()
        (deliveries / "part-1.csv").write_text("".join(lines[:30]))
        (deliveries / "part-2.csv").write_text(lines[0] + "".join(lines[30:]))
        moved = _tick(late_landing_files, instance, cursor, landing.root, db)
        assert not moved.run_requests and moved.skip_message == "no change"

        # A corrected value in an old file touches its month only.
        text = (deliveries / "part-1.csv").read_text().replace("D-V3-202502,V3,2025-02-10,2025-02-15",
                                                             "D-V3-202502,V3,2025-02-10,2025-02-11")
        (deliveries / "part-1.csv").write_text(text)
        fixed = _tick(late_landing_files, instance, moved.cursor, landing.root, db)
        assert [(r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG]) for r in fixed.run_requests] == [("2025-02-01", "2025-02-01")]
        assert "deliveries/part-1.csv" in fixed.run_requests[0].tags[REASON_TAG]

        # A second correction of the same file and month reads the same ("n -> n rows") but is new
        # content: a new run key, or Dagster would skip it as a run it has already done.
        text = text.replace("D-V3-202502,V3,2025-02-10,2025-02-11", "D-V3-202502,V3,2025-02-10,2025-02-12")
        (deliveries / "part-1.csv").write_text(text)
        again = _tick(late_landing_files, instance, fixed.cursor, landing.root, db)
        [first_fix], [second_fix] = fixed.run_requests, again.run_requests
        assert second_fix.tags[REASON_TAG] == first_fix.tags[REASON_TAG]
        assert second_fix.run_key != first_fix.run_key

        # Put back as it was: a change again, to be run again. Review: the folder returning to a
        # state seen before made the run key of the earlier run, and Dagster skipped it for good.
        (deliveries / "part-1.csv").write_text(text.replace("2025-02-10,2025-02-12", "2025-02-10,2025-02-11"))
        back = _tick(late_landing_files, instance, again.cursor, landing.root, db)
        (deliveries / "part-1.csv").write_text(text)
        forth = _tick(late_landing_files, instance, back.cursor, landing.root, db)
        keys = [t.run_requests[0].run_key for t in (fixed, again, back, forth)]
        assert len(set(keys)) == 4, keys

        # A same-size replacement that keeps the old modification time (cp -p, rsync -a) is seen.
        old = (deliveries / "part-1.csv").stat()
        replacement = tmp_path / "part-1.csv"
        replacement.write_text(text.replace("D-V3-202502,V3,2025-02-10,2025-02-12", "D-V3-202502,V3,2025-02-10,2025-02-13"))
        os.utime(replacement, ns=(old.st_atime_ns, old.st_mtime_ns))
        os.replace(replacement, deliveries / "part-1.csv")
        new = (deliveries / "part-1.csv").stat()
        assert (new.st_size, new.st_mtime_ns) == (old.st_size, old.st_mtime_ns)  # what a size-and-time check sees
        copied = _tick(late_landing_files, instance, forth.cursor, landing.root, db)
        assert [(r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG]) for r in copied.run_requests] == [("2025-02-01", "2025-02-01")]

        # Removing a file re-runs every month it held rows of, as unbroken ranges.
        (deliveries / "part-2.csv").unlink()
        removed = _tick(late_landing_files, instance, copied.cursor, landing.root, db)
        ranges = [(r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG]) for r in removed.run_requests]
        assert ranges == [("2025-08-01", "2026-10-01")]  # part-2 held rows from August 2025 on

        # A delivery promised for a month not yet complete waits for its month.
        landing.deliveries([["D-future", "V1", "2026-11-20", "", "5", "", "", ""]], name="future.csv")
        future = _tick(late_landing_files, instance, removed.cursor, landing.root, db)
        assert not future.run_requests and "outside the scored range" in future.skip_message

        # A late file whose key conflicts with a row of an older month changes that month too, and
        # the reason names the file (review: it said "a removed file").
        landing.deliveries([["D-V1-202503", "V1", "2025-06-12", "", "5", "", "", ""]], name="conflict.csv")
        clash = _tick(late_landing_files, instance, future.cursor, landing.root, db)
        reason = " ".join(r.tags[REASON_TAG] for r in clash.run_requests)
        assert "deliveries 2025-03: 3 -> 3 rows (a key repeated in deliveries/conflict.csv)" in reason, reason
        assert "deliveries 2025-06: 3 -> 4 rows (deliveries/conflict.csv)" in reason, reason

        # A broken file starts nothing and says why; the cursor stays on the last good state.
        (deliveries / "broken.txt").write_text("x")
        broken = _tick(late_landing_files, instance, clash.cursor, landing.root, db)
        assert not broken.run_requests and "unsupported file type" in broken.skip_message
    assert not db.exists()  # the sensor never opens the database


def test_a_late_data_runs_reason_names_only_the_months_it_runs():
    # Review: a change in 2026-08, a month never scored, reran 2026-10 (the month scored after it)
    # with the reason "2026-09..2026-10 re-scored after it": 2026-09 was in no run.
    from pipelines.defs.automation.late_data import run_requests
    from pipelines.defs.ingest.landing_digest import Change

    august = Change("deliveries", "2026-08", 3298, 3299, ("deliveries/late-aug.csv",), digest="d1")
    [request] = run_requests({date(2026, 10, 1): [august]})
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-10-01", "2026-10-01")
    assert request.tags[REASON_TAG] == ("deliveries 2026-08: 3298 -> 3299 rows (deliveries/late-aug.csv); "
                                        "2026-10 re-scored after it")
    [request] = run_requests({date(2026, m, 1): [august] if m == 8 else [] for m in (8, 9, 10)})
    assert request.tags[REASON_TAG].endswith("; 2026-09..2026-10 re-scored after it")


def test_a_late_file_that_moves_the_last_date_matures_the_months_before_it_as_a_backfill_does(
        landing: Landing, tmp_path: Path, dagster_home: Path):
    # Review: a late October delivery, delivered 2026-11-05, moves the data's last date from
    # 2026-10-15 to 2026-11-05; August (provisional while 2026-08 + 1 month + 60 days = 10-31 is
    # after the last date) is final now. Rerunning October alone left August flagged provisional,
    # unlike a clean backfill, and nothing said so. The flag depends on that date alone: it is set.
    two_years(landing)
    db, clean = tmp_path / "p.duckdb", tmp_path / "clean.duckdb"
    assert run_months(landing.root, db, date(2026, 7, 1), LAST).success
    assert query(db, "SELECT month, bool_and(provisional) FROM scorecard GROUP BY month ORDER BY month") == [
        (date(2026, 7, 1), False), (date(2026, 8, 1), True), (date(2026, 9, 1), True), (date(2026, 10, 1), True)]
    landing.deliveries([["D-late-oct", "V1", "2026-10-20", "2026-11-05", "10", "10", "0", "100"]], name="late.csv")
    assert run_months(landing.root, db, LAST).success
    assert query(db, "SELECT month, bool_and(provisional) FROM scorecard GROUP BY month ORDER BY month") == [
        (date(2026, 7, 1), False), (date(2026, 8, 1), False), (date(2026, 9, 1), True), (date(2026, 10, 1), True)]
    assert query(db, "SELECT count(*) FROM scores_out_of_date") == [(0,)], "its scores did not change"
    assert run_months(landing.root, clean, date(2026, 7, 1), LAST).success
    assert query(db, "SELECT * FROM scorecard ORDER BY ALL") == query(clean, "SELECT * FROM scorecard ORDER BY ALL")
