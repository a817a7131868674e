"""Reruns are idempotent and order-independent: the same files give the same tables and numbers."""
from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import AS_OF, DELIVERY_HEADER, VENDOR_HEADER, query, run_months, write_csv
from pipelines.defs.ingest.feeds import FEEDS_BY_NAME
from pipelines.defs.ingest.landing import LandingError
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.validate import validate_feed
from pipelines.lib.duckdb_resource import open_database
from pipelines.lib.months import ALL_MONTHS
from pipelines.sample_data import generate

VENDORS, DELIVERIES = FEEDS_BY_NAME["vendors"], FEEDS_BY_NAME["deliveries"]

TABLES = ["vendors", "deliveries", "complaints", "announcement_events", "quarantine", "ingest_log",
          "delivery_metrics", "complaint_recovery", "complaint_metrics", "announcement_metrics",
          "expectation_results", "scorecard"]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def stored(db: Path, tables: list[str] = TABLES) -> dict[str, list[tuple]]:
    """The tables as stored, read without ORDER BY (an export, a reader that does not sort): a
    rerun must not change their order either (review: a middle month rerun moved its rows to the
    end). Quarantine's run ids name the run that first rejected a row, which differs between databases."""
    return {t: query(db, "SELECT * EXCLUDE (first_rejected_run) FROM quarantine" if t == "quarantine"
                     else f"SELECT * FROM {t}") for t in tables}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("sample") / "landing"
    generate(landing, date(2026, 9, 1), months=4)
    return landing


def test_backfill_twice_leaves_every_table_identical(sample: Path, tmp_path: Path, dagster_home: Path):
    db = tmp_path / "a.duckdb"
    assert run_months(sample, db, date(2026, 6, 1), date(2026, 9, 1)).success
    first = snapshot(db)
    assert len(first["scorecard"]) == 4 * len(first["vendors"])
    assert run_months(sample, db, date(2026, 6, 1), date(2026, 9, 1)).success
    assert snapshot(db) == first


def test_a_month_alone_scores_as_in_a_backfill(sample: Path, tmp_path: Path, dagster_home: Path):
    whole, alone = tmp_path / "whole.duckdb", tmp_path / "alone.duckdb"
    assert run_months(sample, whole, date(2026, 6, 1), date(2026, 9, 1)).success
    assert run_months(sample, alone, date(2026, 9, 1)).success
    sql = "SELECT * FROM scorecard WHERE month = '2026-09-01' ORDER BY vendor_id"
    in_backfill, on_its_own = query(whole, sql), query(alone, sql)
    assert on_its_own == in_backfill
    # the look-backs are real: September's trust scores remember earlier months
    assert any(row is not None for row in query(alone, "SELECT trust_change FROM scorecard"))


def test_rerunning_one_month_leaves_the_others_untouched(sample: Path, tmp_path: Path, dagster_home: Path):
    db = tmp_path / "m.duckdb"
    assert run_months(sample, db, date(2026, 6, 1), date(2026, 9, 1)).success
    before, order = snapshot(db), stored(db)
    lookback = "SELECT detail FROM build_log WHERE step = 'lookback'"
    kept = query(db, lookback)
    # From where trust's memory starts (the sample's first facts, in May) to September.
    assert kept == [('{"end": "2026-10-01", "first": "2026-05-01"}',)]
    assert run_months(sample, db, date(2026, 7, 1)).success
    assert snapshot(db) == before
    assert stored(db) == order  # July's rows rewritten in their place, not appended after September's
    # July's look-back (2026-05..2026-07) lies inside the kept one, over the same validated rows: read, not recomputed.
    assert query(db, lookback) == kept


def test_month_by_month_runs_store_the_tables_of_one_backfill(sample: Path, tmp_path: Path, dagster_home: Path):
    whole, monthly = tmp_path / "whole.duckdb", tmp_path / "monthly.duckdb"
    assert run_months(sample, whole, date(2026, 6, 1), date(2026, 9, 1)).success
    for month in (9, 6, 7, 8):  # out of order, as a backfill after a first monthly run is
        assert run_months(sample, monthly, date(2026, month, 1)).success
    assert stored(monthly) == stored(whole)


def _reused(result) -> dict[str, bool]:
    return {e.asset_key.to_user_string(): e.materialization.metadata["reused"].value
            for e in result.get_asset_materialization_events() if "reused" in e.materialization.metadata}


def _suite_checks(result) -> dict[str, tuple]:
    return {e.asset_key.to_user_string(): (e.metadata["expectations_evaluated"].value, e.metadata["expectations_met"].value,
                                           e.metadata["rows_flagged"].value)
            for e in result.get_asset_check_evaluations() if e.check_name == "contract_suite"}


def test_unchanged_inputs_are_reused_and_any_change_rebuilds(sample: Path, tmp_path: Path, dagster_home: Path):
    import shutil

    landing = tmp_path / "landing"
    shutil.copytree(sample, landing)
    db = tmp_path / "r.duckdb"
    first = run_months(landing, db, date(2026, 9, 1))
    assert not any(_reused(first).values())
    before, order = snapshot(db), stored(db)

    # Nothing changed: staging and validation are skipped, and the tables are the same.
    again = run_months(landing, db, date(2026, 9, 1))
    assert all(_reused(again).values()) and len(_reused(again)) == 8
    assert snapshot(db) == before
    # The suites' verdicts too: the same figures, read back instead of checked again.
    assert _suite_checks(again) == _suite_checks(first)
    assert all(n > 0 for n, _, _ in _suite_checks(first).values())

    # A file rewritten with the same bytes and its old modification time (cp -p) is still read again.
    deliveries = sorted((landing / "deliveries").iterdir())[0]
    stat = deliveries.stat()
    deliveries.write_bytes(deliveries.read_bytes())
    os.utime(deliveries, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    touched = _reused(run_months(landing, db, date(2026, 9, 1)))
    assert touched["staged_deliveries"] is False and touched["deliveries"] is False
    assert touched["staged_complaints"] is True and touched["complaints"] is True
    assert snapshot(db) == before and stored(db) == order

    # A later as-of date judges again (facts after it are rejected), without re-reading files.
    later = _reused(run_months(landing, db, date(2026, 9, 1), as_of=date(2026, 12, 31)))
    assert later["staged_deliveries"] is True and later["deliveries"] is False and later["vendors"] is False


def test_a_late_file_revalidates_only_its_months_and_gives_the_tables_of_a_fresh_run(
        sample: Path, tmp_path: Path, dagster_home: Path):
    import json
    import shutil

    from conftest import DELIVERY_HEADER, write_csv

    landing = tmp_path / "landing"
    shutil.copytree(sample, landing)
    db = tmp_path / "late.duckdb"
    assert run_months(landing, db, date(2026, 6, 1), date(2026, 9, 1)).success
    vendor = query(db, "SELECT min(vendor_id) FROM vendors WHERE NOT is_self")[0][0]
    write_csv(landing / "deliveries" / "late-august.csv", DELIVERY_HEADER, [
        ["LATE-1", vendor, "2026-08-20", "2026-08-25", "10", "10", "0", "100"],
        ["LATE-2", vendor, "2026-08-21", "", "4", "", "", ""],
        ["LATE-3", "NO-SUCH-VENDOR", "2026-08-22", "2026-08-22", "1", "1", "0", "1"],
    ])
    # What the late-data sensor starts: a run of August alone.
    assert run_months(landing, db, date(2026, 8, 1)).success
    # The validated deliveries changed: the kept look-back no longer applies and is recomputed.
    assert query(db, "SELECT detail FROM build_log WHERE step = 'lookback'") == \
        [('{"end": "2026-09-01", "first": "2026-05-01"}',)]
    detail = {step: json.loads(d) for step, d in query(db, "SELECT step, detail FROM build_log WHERE step LIKE 'validate:%'")}
    assert detail["validate:deliveries"]["validated"] == "2026-08"
    assert "validated" not in detail["validate:complaints"] or detail["validate:complaints"]["validated"] == "every month"

    fresh = tmp_path / "fresh.duckdb"
    assert run_months(landing, fresh, date(2026, 6, 1), date(2026, 9, 1)).success
    judged = ["vendors", "deliveries", "complaints", "announcement_events", "ingest_log",
              "quarantine"]
    without_run_ids = {"quarantine": "SELECT * EXCLUDE (first_rejected_run) FROM quarantine ORDER BY ALL"}
    for table in judged:
        sql = without_run_ids.get(table, f"SELECT * FROM {table} ORDER BY ALL")
        assert query(db, sql) == query(fresh, sql), table
    # As stored, too: August's rows revalidated in their place, before September's.
    assert stored(db, judged) == stored(fresh, judged)
    assert query(db, "SELECT count(*) FROM quarantine WHERE source_file = 'deliveries/late-august.csv'") == [(1,)]
    # August's scores are the fresh run's (later months keep theirs until they are run again).
    august = "SELECT * FROM scorecard WHERE month = DATE '2026-08-01' ORDER BY ALL"
    assert query(db, august) == query(fresh, august)


def test_a_new_as_of_date_judges_again_only_the_months_it_reaches_as_a_fresh_run_would(
        sample: Path, tmp_path: Path, dagster_home: Path):
    # A rerun on another day moves the default as-of date. Only dates after the earlier of the two
    # as-of dates are judged differently (rejected, or quoted in their reason), so only their months
    # are validated again, and the tables equal a fresh run's at the new date.
    landing = tmp_path / "landing"
    shutil.copytree(sample, landing)
    db, later = tmp_path / "day1.duckdb", date(2026, 12, 31)
    assert run_months(landing, db, date(2026, 6, 1), date(2026, 9, 1)).success
    vendor = query(db, "SELECT min(vendor_id) FROM vendors WHERE NOT is_self")[0][0]
    write_csv(landing / "deliveries" / "dated-ahead.csv", DELIVERY_HEADER, [
        ["AHEAD-1", vendor, "2026-07-20", "2026-12-10", "10", "10", "0", "100"],  # valid from the new date on
        ["AHEAD-2", vendor, "2026-07-21", "2027-02-01", "4", "4", "0", "40"],  # after both: rejected alike
    ])
    assert run_months(landing, db, date(2026, 6, 1), date(2026, 9, 1)).success
    assert query(db, "SELECT count(*) FROM quarantine WHERE source_file = 'deliveries/dated-ahead.csv'") == [(2,)]

    assert run_months(landing, db, date(2026, 9, 1), as_of=later).success
    detail = {step: json.loads(d) for step, d in query(db, "SELECT step, detail FROM build_log WHERE step LIKE 'validate:%'")}
    assert detail["validate:deliveries"]["validated"] == "2026-07"
    fresh = tmp_path / "fresh.duckdb"
    assert run_months(landing, fresh, date(2026, 6, 1), date(2026, 9, 1), as_of=later).success
    for table in ["deliveries", "complaints", "announcement_events", "ingest_log"]:
        assert query(db, f"SELECT * FROM {table} ORDER BY ALL") == query(fresh, f"SELECT * FROM {table} ORDER BY ALL"), table
    quarantine = "SELECT * EXCLUDE (first_rejected_run) FROM quarantine ORDER BY ALL"
    assert query(db, quarantine) == query(fresh, quarantine)
    assert query(db, "SELECT reason FROM quarantine WHERE source_file = 'deliveries/dated-ahead.csv'") == [
        ("date 2027-02-01 is after the run's as-of date (TRUSTCARD_AS_OF, default today)",)]


def test_the_months_a_new_as_of_date_reaches_are_named_by_the_checks_limits():
    # changed_months.AHEAD_YEARS must be the limits `too_far_ahead` is called with: a month holding
    # a promise that crosses a limit the list lacks would not be judged again.
    import re

    from pipelines.defs.quality.changed_months import AHEAD_YEARS
    from pipelines.lib.sql import SQL_DIR

    used = {int(n) for f in (SQL_DIR / "validated").glob("*.sql")
            for n in re.findall(r"too_far_ahead\([^)]*,\s*(\d+)\)", f.read_text())}
    assert used == set(AHEAD_YEARS)


def _quarantined_delivery(landing: Path, qty: str, extra: list[str] | None = None) -> None:
    """V9 is unknown: its delivery goes to quarantine, shown as it was read."""
    write_csv(landing / "vendors.csv", VENDOR_HEADER, [["V1", "Acme", "parts", "false", ""]])
    write_csv(landing / "deliveries" / "a.csv", DELIVERY_HEADER, [
        ["D1", "V1", "2026-09-10", "2026-09-09", "10", "10", "0", "100"],
        ["D2", "V9", "2026-09-11", "", qty, "", "", ""] + (extra or []),
    ])


QUARANTINE = "SELECT feed, source_file, row_number, column_name, reason, raw_record FROM quarantine ORDER BY ALL"


@pytest.mark.parametrize("change", ["text only", "overflow only", "spool deleted"])
def test_a_rerun_shows_quarantined_rows_as_a_fresh_run_does(change: str, tmp_path: Path, dagster_home: Path):
    """Quarantine shows a rejected row as read, from the file staging spooled it to. A correction of
    its text alone ('05' -> '5', the same number) or of the fields beyond the header, or the spool
    folder deleted since, must not leave a rerun showing what a fresh run would not."""
    landing, db, fresh = tmp_path / "landing", tmp_path / "t.duckdb", tmp_path / "fresh.duckdb"
    _quarantined_delivery(landing, "05", ["old"] if change == "overflow only" else None)
    assert run_months(landing, db, date(2026, 9, 1)).success
    if change == "text only":
        _quarantined_delivery(landing, "5")
    elif change == "overflow only":
        _quarantined_delivery(landing, "05", ["new"])
    else:
        shutil.rmtree(tmp_path / "t.duckdb.spool")
    assert run_months(landing, db, date(2026, 9, 1)).success
    assert run_months(landing, fresh, date(2026, 9, 1)).success
    rerun = query(db, QUARANTINE)
    assert rerun == query(fresh, QUARANTINE)
    [(_, _, _, column, _, raw)] = rerun
    assert json.loads(raw)["qty_ordered"] == ("5" if change == "text only" else "05")
    if change == "overflow only":  # a ragged row: the row is at fault, and its fields beyond the header show
        assert column is None and json.loads(raw)["_overflow"] == "new"
    else:
        assert column == "vendor_id"


def test_a_file_refused_at_staging_leaves_quarantine_showing_the_rows_staged_before(tmp_path: Path):
    """A changed file refused as a whole (not one value of a column parses) leaves the staged rows
    as they were, and quarantine shows those rows as they were read, not the refused file's rows."""
    landing, db = tmp_path / "landing", tmp_path / "t.duckdb"
    write_csv(landing / "vendors.csv", VENDOR_HEADER, [["V1", "Acme", "parts", "false", ""]])
    rows = [["D1", "V1", "2026-09-10", "", "5", "", "", ""], ["D2", "V9", "2026-09-10", "", "5", "", "", ""],
            ["D3", "V1", "2026-09-10", "", "5", "", "", ""]]
    write_csv(landing / "deliveries" / "a.csv", DELIVERY_HEADER, rows)
    con = open_database(db)
    try:
        for feed in (VENDORS, DELIVERIES):
            stage_feed(con, landing, feed, *ALL_MONTHS)
        write_csv(landing / "deliveries" / "a.csv", DELIVERY_HEADER,
                  [["D1", "V1", "2026-09-10", "", "x", "", "", ""], ["NEW", "V7", "2026-09-10", "", "y", "", "", ""],
                   ["D3", "V1", "2026-09-10", "", "z", "", "", ""]])
        with pytest.raises(LandingError, match="none of its 3 values parses"):
            stage_feed(con, landing, DELIVERIES, *ALL_MONTHS)
        for feed in (VENDORS, DELIVERIES):
            validate_feed(con, feed, *ALL_MONTHS, AS_OF, run_id="test")
        [(raw,)] = con.execute("SELECT raw_record FROM quarantine WHERE feed = 'deliveries'").fetchall()
    finally:
        con.close()
    assert json.loads(raw)["delivery_id"] == "D2" and json.loads(raw)["vendor_id"] == "V9"
