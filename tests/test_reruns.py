"""Reruns are idempotent and order-independent: the same files give the same tables and numbers."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import query, run_months
from pipelines.sample_data import generate

TABLES = ["vendors", "deliveries", "complaints", "announcement_events", "quarantine", "ingest_log",
          "delivery_metrics", "complaint_recovery", "complaint_metrics", "announcement_metrics",
          "expectation_results", "scorecard"]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


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
    before = snapshot(db)
    assert run_months(sample, db, date(2026, 7, 1)).success
    assert snapshot(db) == before
