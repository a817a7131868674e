"""A repeat: the same vendor and category opened within 90 days after an earlier one was resolved.

The edges are written out by hand: the 90-day boundary (exclusive at 90 days back, inclusive at
the opening instant), a complaint resolved the instant it opened (it does not repeat itself),
two resolutions at the same instant, another category, another vendor, no category at all.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import COMPLAINT_HEADER, VENDOR_HEADER, write_csv
from pipelines.defs.ingest.feeds import ALL_FEEDS
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.validate import validate_feed
from pipelines.lib.db import prepare
from pipelines.lib.duckdb_resource import open_database
from pipelines.lib.months import ALL_MONTHS
from pipelines.lib.sql import load_sql

FEEDS = {f.name: f for f in ALL_FEEDS}


def complaint(cid: str, vendor: str, category: str, opened: str, resolved: str = "") -> list[str]:
    return [cid, vendor, opened, "", resolved, "", "low", category, "", "", "", "", ""]


ROWS = [
    complaint("A1", "V1", "late", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"),
    complaint("A2", "V1", "late", "2026-04-05T00:00:00Z"),                          # 90 days after A1's resolution: not a repeat
    complaint("A3", "V1", "late", "2026-04-04T23:59:59Z"),                          # 1 s inside the 90 days: repeat
    complaint("A4", "V1", "late", "2026-01-05T00:00:00Z"),                          # opened the instant A1 was resolved: repeat
    complaint("B1", "V1", "billing", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),  # resolved as it opened: not its own repeat
    complaint("B2", "V1", "billing", "2026-03-01T10:00:00Z", "2026-03-02T00:00:00Z"),  # opened as B1 was resolved: repeat
    complaint("C1", "V2", "late", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z"),
    complaint("C2", "V2", "late", "2026-02-01T12:00:00Z", "2026-02-02T00:00:00Z"),  # resolved at the same instant as C1
    complaint("C3", "V2", "late", "2026-02-03T00:00:00Z"),                          # after both: repeat
    complaint("C4", "V2", "quality", "2026-02-03T00:00:00Z"),                       # another category: not
    complaint("D1", "V2", "", "2026-02-01T00:00:00Z", "2026-02-01T01:00:00Z"),      # no category: never a repeat
    complaint("D2", "V2", "", "2026-02-03T00:00:00Z"),
    complaint("E1", "V1", "quality", "2026-02-03T00:00:00Z"),                       # V2's quality complaints are not V1's
]
EXPECTED = {"A1": False, "A2": False, "A3": True, "A4": True, "B1": False, "B2": True,
            "C1": False, "C2": False, "C3": True, "C4": False, "D1": False, "D2": False, "E1": False}


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
                           {"start": date(2026, 1, 1), "end": date(2026, 5, 1)}).fetchall()
    finally:
        con.close()
    assert {r[2]: r[17] for r in rows} == EXPECTED
