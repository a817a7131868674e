"""Great Expectations checks a large window in batches of whole months, with the same results."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import query, run_months
from pipelines.defs.quality import expectations_suite
from pipelines.defs.quality.expectations_suite import month_batches
from pipelines.lib.duckdb_resource import open_database
from pipelines.sample_data import generate


def test_months_are_batched_whole_up_to_the_limit():
    con = open_database(":memory:")
    con.execute("CREATE TABLE stg_deliveries (month DATE, _dup_status VARCHAR)")
    sizes = {date(2026, 1, 1): 40, date(2026, 2, 1): 70, date(2026, 3, 1): 20, date(2026, 4, 1): 150, None: 5}
    for month, n in sizes.items():
        con.execute("INSERT INTO stg_deliveries SELECT ?, 'unique' FROM range(?)", [month, n])
    con.execute("INSERT INTO stg_deliveries SELECT DATE '2026-01-01', 'duplicate' FROM range(1000)")
    batches = month_batches(con, "deliveries", "true", [], limit=100)
    assert batches == [("month IS NULL", []),
                       ("month IN (?)", [date(2026, 1, 1)]),                     # 40 + 70 > 100
                       ("month IN (?, ?)", [date(2026, 2, 1), date(2026, 3, 1)]),  # 70 + 20
                       ("month IN (?)", [date(2026, 4, 1)])]                     # 150: alone
    covered = sum(con.execute(f"SELECT count(*) FROM stg_deliveries WHERE {f} AND _dup_status <> 'duplicate'",
                              a).fetchall()[0][0] for f, a in batches)
    assert covered == sum(sizes.values())  # every row in exactly one batch
    assert month_batches(con, "vendors", "true", []) == [("true", [])]


def test_batched_suite_results_equal_one_batch(tmp_path: Path, dagster_home: Path, monkeypatch: pytest.MonkeyPatch):
    landing = tmp_path / "landing"
    generate(landing, date(2026, 9, 1), months=3)
    sql = "SELECT * FROM expectation_results ORDER BY ALL"
    whole = tmp_path / "whole.duckdb"
    assert run_months(landing, whole, date(2026, 7, 1), date(2026, 9, 1)).success
    monkeypatch.setattr(expectations_suite, "BATCH_ROWS", 500)  # several batches per feed
    batched = tmp_path / "batched.duckdb"
    result = run_months(landing, batched, date(2026, 7, 1), date(2026, 9, 1))
    assert result.success
    assert query(batched, sql) == query(whole, sql)
    assert {r[1] for r in query(batched, sql)} == {None, date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)}  # vendors have no month
    checks = [e for e in result.get_asset_check_evaluations() if e.check_name == "contract_suite"]
    assert len(checks) == 4 and all(c.passed for c in checks)
