"""A repeat: the same vendor and category as a complaint opened in the 365 days before it.

The edges are written out by hand: the 365-day boundary (inclusive at 365 days back), two
complaints opened at the same instant (not each other's repeat), an earlier one still open (it
counts), another category, another vendor, no category at all, and an earlier one in the year
before the months computed (read, though not itself scored).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import COMPLAINT_HEADER, VENDOR_HEADER, write_csv
from pipelines.defs.ingest.feeds import ALL_FEEDS
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.validate import validate_feed
from pipelines.defs.scorecard.model import load_model
from pipelines.lib.db import prepare
from pipelines.lib.duckdb_resource import open_database
from pipelines.lib.months import ALL_MONTHS
from pipelines.lib.sql import load_sql

FEEDS = {f.name: f for f in ALL_FEEDS}


def complaint(cid: str, vendor: str, category: str, opened: str, resolved: str = "") -> list[str]:
    return [cid, vendor, opened, "", resolved, "", "low", category, "", "", "", "", ""]


ROWS = [
    complaint("A1", "V1", "late", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
    complaint("A2", "V1", "late", "2026-04-05T00:00:00Z"),                          # A1 three months before: repeat
    complaint("A4", "V1", "late", "2026-01-02T00:00:00Z"),                          # A1 still open: repeat
    complaint("B1", "V1", "billing", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
    complaint("B2", "V1", "billing", "2026-03-01T10:00:00Z", "2026-03-02T00:00:00Z"),  # same instant as B1: neither repeats
    complaint("C1", "V2", "late", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z"),
    complaint("C2", "V2", "late", "2026-02-01T12:00:00Z", "2026-02-02T00:00:00Z"),  # C1 twelve hours before: repeat
    complaint("C4", "V2", "quality", "2026-02-03T00:00:00Z"),                       # another category: not
    complaint("D1", "V2", "", "2026-02-01T00:00:00Z", "2026-02-01T01:00:00Z"),      # no category: never a repeat
    complaint("D2", "V2", "", "2026-02-03T00:00:00Z"),
    complaint("E1", "V1", "quality", "2026-02-03T00:00:00Z"),                       # V2's quality complaints are not V1's
    complaint("G1", "V1", "fit", "2025-02-03T00:00:00Z"),                           # before the months computed
    complaint("G2", "V1", "fit", "2026-02-03T00:00:01Z"),                           # 365 days and 1 s after G1: not
    complaint("G0", "V2", "fit", "2025-02-03T00:00:00Z"),
    complaint("G3", "V2", "fit", "2026-02-03T00:00:00Z"),                           # exactly 365 days after G0: repeat
]
EXPECTED = {"A1": False, "A2": True, "A4": True, "B1": False, "B2": False, "C1": False, "C2": True,
            "C4": False, "D1": False, "D2": False, "E1": False, "G2": False, "G3": True}


def test_repeats_by_hand(tmp_path: Path):
    landing = tmp_path / "landing"
    write_csv(landing / "vendors.csv", VENDOR_HEADER, [["V1", "One", "x", "false", ""], ["V2", "Two", "x", "false", ""]])
    write_csv(landing / "complaints" / "c.csv", COMPLAINT_HEADER, ROWS)
    con = open_database(tmp_path / "t.duckdb")
    try:
        prepare(con)
        for feed in ("vendors", "complaints"):
            stage_feed(con, landing, FEEDS[feed], *ALL_MONTHS)
            validate_feed(con, FEEDS[feed], *ALL_MONTHS, date(2026, 11, 26), "run1")
        assert con.execute("SELECT count(*) FROM complaints").fetchall()[0][0] == len(ROWS)
        rows = con.execute(load_sql("metrics/complaint_recovery"),
                           {"start": date(2026, 1, 1), "end": date(2026, 5, 1),
                            **load_model().metric_params("complaint_recovery")}).fetchall()
    finally:
        con.close()
    assert {r[2]: r[17] for r in rows} == EXPECTED
