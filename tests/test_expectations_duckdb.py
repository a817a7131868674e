"""Great Expectations runs its suites in DuckDB: the IN-list rewrite, and the suite's verdict.

The suite is the independent second reading of the contract: every row it flags must already be
in quarantine. Here a tiny feed is staged and validated for real, then a quarantined row is
taken out of the quarantine, as if validation had let it through; the suite must name it.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import DELIVERY_HEADER, VENDOR_HEADER, write_csv
from pipelines.defs.ingest.feeds import ALL_FEEDS
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.expectations_suite import run_suite
from pipelines.defs.quality.gx_duckdb import hash_in_lists
from pipelines.defs.quality.validate import validate_feed
from pipelines.lib.db import prepare
from pipelines.lib.duckdb_resource import open_database
from pipelines.lib.months import ALL_MONTHS

FEEDS = {f.name: f for f in ALL_FEEDS}
AS_OF = date(2026, 11, 26)
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def test_a_long_in_list_becomes_one_list_parameter_with_the_same_rows():
    values = [f"V{i}" for i in range(20)]
    statement = ("SELECT count(*) FILTER (WHERE a > $1), count(*) FILTER (WHERE v NOT IN ("
                 + ", ".join(f"${i}" for i in range(2, 22)) + ")), count(*) FILTER (WHERE b IN ($22, $23)), max($24) FROM t")
    parameters = [5, *values, "x", "y", 7]
    rewritten, bound = hash_in_lists(statement, parameters)
    assert rewritten == ("SELECT count(*) FILTER (WHERE a > $1), count(*) FILTER (WHERE v NOT IN (SELECT unnest($2))), "
                         "count(*) FILTER (WHERE b IN ($3, $4)), max($5) FROM t")
    assert bound == [5, values, "x", "y", 7]
    con = duckdb.connect()
    con.execute("""CREATE TABLE t AS SELECT i AS a, CASE WHEN i % 7 = 0 THEN NULL ELSE 'V' || (i % 30) END AS v,
                   CASE WHEN i % 3 = 0 THEN 'x' ELSE 'z' END AS b FROM range(100) r(i)""")
    # 100 rows; v is NULL for 15 (i % 7 = 0), outside V0..V19 for i % 30 in 20..29 and not NULL:
    # i in 20..29, 50..59, 80..89 = 30 rows, of which 21, 28, 56, 84 (i % 7 = 0) are NULL -> 26.
    expected = [(94, 26, 34, 7)]
    assert con.execute(statement, parameters).fetchall() == expected
    assert con.execute(rewritten, bound).fetchall() == expected


def test_short_lists_and_statements_without_lists_are_left_alone():
    assert hash_in_lists("SELECT $1 IN ($2, $3)", [1, 2, 3]) == ("SELECT $1 IN ($2, $3)", [1, 2, 3])
    assert hash_in_lists("SELECT 1", None) == ("SELECT 1", None)


@pytest.fixture
def validated(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    landing = tmp_path / "landing"
    write_csv(landing / "vendors.csv", VENDOR_HEADER, [["V1", "Acme", "packaging", "false", ""]])
    write_csv(landing / "deliveries" / "a.csv", DELIVERY_HEADER, [
        ["D1", "V1", "2026-09-10", "2026-09-09", "10", "10", "0", "100"],   # line 2: valid
        ["D2", "V9", "2026-09-11", "2026-09-11", "10", "10", "0", "100"],   # line 3: unknown vendor
        ["D3", "V1", "2026-10-02", "2026-10-01", "-4", "", "", ""],         # line 4: qty_ordered < 0
        ["D4", "V1", "2026-10-03", "2026-10-03", "5", "5", "7", ""],        # line 5: rejected > delivered
        ["D5", "V1", "2026-10-03", "2026-10-03", "5", "5", "0", ""],        # line 6: valid
    ])
    con = open_database(tmp_path / "t.duckdb")
    prepare(con)
    for feed in ("vendors", "deliveries"):
        stage_feed(con, landing, FEEDS[feed], *ALL_MONTHS)
        validate_feed(con, FEEDS[feed], *ALL_MONTHS, AS_OF, "run1")
    yield con
    con.close()


def flagged(outcome) -> dict[tuple, int]:
    return {(str(month), rule): n for _, month, _, _, rule, _, n in outcome.per_month if n}


def test_the_suite_flags_by_hand_and_everything_it_flags_is_quarantined(validated):
    outcome = run_suite(validated, "deliveries", "in_window(month, ?, ?)", [SEPTEMBER, date(2026, 11, 1)], AS_OF)
    assert flagged(outcome) == {
        ("2026-09-01", "vendor_id exists in vendors.csv"): 1,
        ("2026-10-01", "qty_ordered > 0"): 1,
        ("2026-10-01", "qty_rejected <= qty_delivered"): 1,
    }
    rows = {(str(month), rule): n for _, month, _, _, rule, n, _ in outcome.per_month}
    assert rows[("2026-09-01", "qty_ordered > 0")] == 2 and rows[("2026-10-01", "qty_ordered > 0")] == 3
    assert outcome.evaluated == 12 and outcome.successful == 9
    assert outcome.consistent and outcome.not_quarantined == []


def test_a_row_the_suite_flags_but_validation_let_through_fails_the_check(validated):
    validated.execute("DELETE FROM quarantine WHERE source_file = 'deliveries/a.csv' AND row_number = 5")
    outcome = run_suite(validated, "deliveries", "in_window(month, ?, ?)", [OCTOBER, date(2026, 11, 1)], AS_OF)
    assert outcome.not_quarantined == ["deliveries/a.csv:5 qty_rejected <= qty_delivered"]
    assert not outcome.consistent
    assert {m for m, _ in flagged(outcome)} == {"2026-10-01"}  # the window is October only


def test_the_window_is_written_as_dates_only(validated):
    with pytest.raises(TypeError, match="must be dates"):
        run_suite(validated, "deliveries", "in_window(month, ?, ?)", ["2026-10-01'; --", date(2026, 11, 1)], AS_OF)


def test_great_expectations_and_the_suite_written_as_sql_flag_the_same_rows(validated):
    """bench/suite_sql.py translates the same JSON suites to one query per feed; the bench compares
    their cost, so they must agree rule by rule."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from suite_sql import run_suite_sql

    window = ("in_window(month, ?, ?)", [SEPTEMBER, date(2026, 11, 1)])
    for feed in ("vendors", "deliveries"):
        where, args = window if feed != "vendors" else ("true", [])
        by_gx: dict[str, int] = {}
        for _, _, _, _, rule, _, n in run_suite(validated, feed, where, args, AS_OF).per_month:
            by_gx[rule] = by_gx.get(rule, 0) + n
        by_sql = run_suite_sql(validated, feed, where, args, AS_OF)
        assert by_sql["flagged"] == by_gx, feed
        assert by_sql["not_quarantined"] == 0
    assert sum(by_gx.values()) == 3  # deliveries: unknown vendor, qty_ordered < 0, rejected > delivered
