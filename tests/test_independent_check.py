"""The scorecard recomputed independently of the SQL, from the landing files, on the sample data.

Six months of sample data (2026-05..2026-10) go through one real Dagster run; the contract's
counting columns are then recomputed here in plain Python (csv + datetime, polars only to read
the one Parquet file), following docs/data-contract.md word by word, and must agree exactly for
every vendor and month.
"""
from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from conftest import query, run_months

from pipelines.sample_data import generate

FIRST, LAST = date(2026, 5, 1), date(2026, 10, 1)
MONTHS = [date(2026, m, 1) for m in range(5, 11)]
COLUMNS = ["deliveries_due", "on_time_rate", "in_full_rate", "open_past_due", "median_days_late",
           "complaints_opened", "median_hours_to_acknowledge", "announcements_due"]


# ---- reading the landing folder ------------------------------------------------------------------

def read_rows(folder: Path) -> list[dict]:
    """Every row of every .csv / .parquet file of a feed folder, as dicts (values as written or typed)."""
    rows = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as f:
                rows += list(csv.DictReader(f))
        elif path.suffix == ".parquet":
            rows += pl.read_parquet(path).to_dicts()
    return rows


def text(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    value = text(value)
    return date.fromisoformat(value) if value else None


def as_number(value) -> float | None:
    value = text(value)
    return float(value) if value is not None else None


def as_utc(value) -> datetime | None:
    """ISO 8601 with or without an offset; no offset = UTC."""
    value = text(value)
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def once_per_key(rows: list[dict], key: str) -> list[dict]:
    """An exact duplicate counts once; a key seen with different values is left out entirely."""
    by_key: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_key[r[key]].append(r)
    return [versions[0] for versions in by_key.values() if all(v == versions[0] for v in versions)]


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None  # even count: mean of the two middle values


# ---- the contract's definitions ------------------------------------------------------------------

def expected_scorecard(landing: Path) -> dict[tuple[str, date], dict]:
    with (landing / "vendors.csv").open(newline="", encoding="utf-8") as f:
        vendors = [r["vendor_id"].strip() for r in csv.DictReader(f)]

    deliveries = once_per_key([
        {"delivery_id": text(r["delivery_id"]), "vendor_id": text(r["vendor_id"]),
         "promised": as_date(r["promised_date"]), "delivered": as_date(r["delivered_date"]),
         "ordered": as_number(r["qty_ordered"]), "qty_delivered": as_number(r["qty_delivered"])}
        for r in read_rows(landing / "deliveries")], "delivery_id")
    complaints = once_per_key([
        {"complaint_id": text(r["complaint_id"]), "vendor_id": text(r["vendor_id"]),
         "opened": as_utc(r["opened_at"]), "acknowledged": as_utc(r["acknowledged_at"])}
        for r in read_rows(landing / "complaints")], "complaint_id")
    first_promise: dict[str, tuple[str, date]] = {}
    for r in read_rows(landing / "announcements"):
        if text(r["event"]).lower() == "announced":
            first_promise[text(r["announcement_id"])] = (text(r["vendor_id"]), as_date(r["promised_ship_date"]))

    due = defaultdict(list)  # (vendor, month) -> deliveries whose promised_date falls in it
    for x in deliveries:
        due[(x["vendor_id"], first_of_month(x["promised"]))].append(x)
    opened = defaultdict(list)  # (vendor, month of opened_at in UTC) -> complaints
    for x in complaints:
        opened[(x["vendor_id"], first_of_month(x["opened"].date()))].append(x)
    announced = defaultdict(int)  # (vendor, month of the first promised ship date) -> announcements
    for vendor, promise in first_promise.values():
        announced[(vendor, first_of_month(promise))] += 1

    out = {}
    for vendor in vendors:
        for month in MONTHS:
            ds = due[(vendor, month)]
            n = len(ds)
            on_time = [x for x in ds if x["delivered"] is not None and x["delivered"] <= x["promised"]]
            # delivered with qty_delivered >= qty_ordered; blank qty_delivered with a date = in full
            in_full = [x for x in ds if x["delivered"] is not None
                       and (x["qty_delivered"] is None or x["qty_delivered"] >= x["ordered"])]
            late_days = [(x["delivered"] - x["promised"]).days
                         for x in ds if x["delivered"] is not None and x["delivered"] > x["promised"]]
            cs = opened[(vendor, month)]
            ack_hours = [(x["acknowledged"] - x["opened"]).total_seconds() / 3600
                         for x in cs if x["acknowledged"] is not None]
            out[(vendor, month)] = {
                "deliveries_due": n,
                "on_time_rate": len(on_time) / n if n else None,
                "in_full_rate": len(in_full) / n if n else None,
                "open_past_due": sum(1 for x in ds if x["delivered"] is None),
                "median_days_late": median(late_days),
                "complaints_opened": len(cs),
                "median_hours_to_acknowledge": median(ack_hours),
                "announcements_due": announced[(vendor, month)],
            }
    return out


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("independent")
    landing = root / "landing"
    generate(landing, LAST, months=6)
    db_path = root / "trustcard.duckdb"
    result = run_months(landing, db_path, FIRST, LAST, dagster_home=root / "dagster_home")
    assert result.success
    return landing, db_path


def test_sample_data_is_all_valid(sample_run):
    # The recomputation below does not re-implement validation: it relies on every row being valid.
    _, db_path = sample_run
    assert query(db_path, "SELECT feed, source_file, row_number, reason FROM quarantine LIMIT 5") == []


def test_scorecard_agrees_with_an_independent_recomputation(sample_run):
    landing, db_path = sample_run
    # The folder really mixes CSV and Parquet and local offsets, or the check proves less.
    assert any(p.suffix == ".parquet" for p in (landing / "deliveries").iterdir())
    expected = expected_scorecard(landing)
    rows = query(db_path, f"SELECT vendor_id, month, {', '.join(COLUMNS)} FROM scorecard "
                          "WHERE month BETWEEN ? AND ? ORDER BY vendor_id, month", [FIRST, LAST])
    got = {(r[0], r[1]): dict(zip(COLUMNS, r[2:])) for r in rows}
    assert sorted(got) == sorted(expected)  # a row for every vendor and month, and no other
    assert sum(e["deliveries_due"] for e in expected.values()) > 10_000  # not vacuously equal
    assert sum(e["complaints_opened"] for e in expected.values()) > 500
    assert sum(e["announcements_due"] for e in expected.values()) > 20
    mismatches = []
    for key, want in expected.items():
        for col, w in want.items():
            g = got[key][col]
            same = (g is None and w is None) if (g is None or w is None) else g == pytest.approx(w, abs=1e-9)
            if not same:
                mismatches.append((key[0], key[1].isoformat(), col, g, w))
    assert not mismatches, f"{len(mismatches)} disagreements, first: {mismatches[:10]}"
