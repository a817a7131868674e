"""Hostile inputs: every bad input gets a clear answer, and no row is lost.

Each case is one clean landing folder (BASELINE) plus exactly one fault. The dry run
(`validate_landing`, fast) judges every case: either one blocking message naming the file (and
line and column where there is one), or exactly the expected rows in quarantine, each with file,
line, column and reason, and the row balance read = valid + quarantined + duplicates. A
representative few also go through the real Dagster job, where the balance check must pass and
the clean rows' scorecard must not move; and the CLI answers with a summary and an exit code.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

import polars as pl
import pytest

from conftest import (
    ANNOUNCEMENT_HEADER, AS_OF, COMPLAINT_HEADER, DELIVERY_HEADER, VENDOR_HEADER, Landing, query, run_months,
)
from pipelines.defs.quality import dry_run as dry_run_module
from pipelines.defs.quality.dry_run import DryRunReport, format_report, validate_landing
from pipelines.lib.duckdb_resource import open_database

MONTH = date(2026, 9, 1)
REPO = Path(__file__).resolve().parents[1]
FEEDS = ("vendors", "deliveries", "complaints", "announcements")
VALID_TABLE = {"vendors": "vendors", "deliveries": "deliveries", "complaints": "complaints",
               "announcements": "announcement_events"}

# --- the clean baseline: three vendors, all their facts in 2026-09 -------------------------------

VENDORS = [["V1", "Acme", "packaging", "false", ""],
           ["V2", "Bolt", "packaging", "", ""],
           ["V3", "Cirrus", "logistics", "", ""]]
DELIVERIES = [["D1", "V1", "2026-09-10", "2026-09-09", "10", "", "", "100"],
              ["D2", "V1", "2026-09-15", "2026-09-18", "10", "8", "1", "80"],
              ["D3", "V2", "2026-09-20", "", "5", "", "", ""],
              ["D4", "V3", "2026-09-05", "2026-09-05", "20", "20", "0", ""]]
COMPLAINTS = [["C1", "V1", "2026-09-03T10:00:00Z", "2026-09-03T14:00:00Z", "2026-09-05T10:00:00Z", "", "high",
               "packaging", "vendor", "yes", "true", "false", "Crushed boxes"],
              ["C2", "V2", "2026-09-12T08:00:00", "2026-09-13T08:00:00", "", "", "low", "", "customer", "", "", "",
               "Late reply"]]
ANNOUNCEMENTS = [["A1", "V1", "Widget", "announced", "2026-05-01", "2026-09-15", "true"],
                 ["A1", "V1", "", "revised", "2026-08-01", "2026-09-30", ""],
                 ["A1", "V1", "", "shipped", "2026-09-29", "", ""],
                 ["A2", "V3", "Gadget", "announced", "2026-06-01", "2026-09-20", "false"]]
BASELINE_FILES = {"vendors": ("vendors.csv", VENDORS), "deliveries": ("deliveries/deliveries.csv", DELIVERIES),
                  "complaints": ("complaints/complaints.csv", COMPLAINTS),
                  "announcements": ("announcements/announcements.csv", ANNOUNCEMENTS)}
BASELINE_ROWS = {feed: len(rows) for feed, (_, rows) in BASELINE_FILES.items()}


def build_baseline(root: Path) -> Path:
    Landing(root).vendors(VENDORS).deliveries(DELIVERIES).complaints(COMPLAINTS).announcements(ANNOUNCEMENTS)
    return root


def csv_text(header: list[str], *lines: str, end: str = "\n") -> str:
    return "\n".join([",".join(header), *lines]) + end


def put(rel: str, content: str | bytes) -> Callable[[Path], None]:
    """A fault: write one landing file (text as UTF-8, bytes as they are)."""
    def fault(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return fault


def late_deliveries(*lines: str) -> Callable[[Path], None]:
    return put("deliveries/late.csv", csv_text(DELIVERY_HEADER, *lines))


def late_complaints(*lines: str) -> Callable[[Path], None]:
    return put("complaints/late.csv", csv_text(COMPLAINT_HEADER, *lines))


def late_announcements(*lines: str) -> Callable[[Path], None]:
    return put("announcements/late.csv", csv_text(ANNOUNCEMENT_HEADER, *lines))


def vendors_file(*extra_lines: str | bytes, bom: bool = False) -> Callable[[Path], None]:
    """vendors.csv rewritten: the baseline vendors plus extra raw lines (bytes for bad encodings)."""
    lines = [",".join(VENDOR_HEADER).encode()] + [",".join(v).encode() for v in VENDORS]
    lines += [x if isinstance(x, bytes) else x.encode() for x in extra_lines]
    return put("vendors.csv", (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(lines) + b"\n")


def parquet(rel: str, frame: pl.DataFrame) -> Callable[[Path], None]:
    def fault(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path)
    return fault


def zoned_parquet(rel: str, columns: dict[str, list], zone: str, zoned: tuple[str, ...]) -> Callable[[Path], None]:
    """A Parquet file whose `zoned` columns are timestamps in `zone`, as pandas writes them: an
    Arrow zone Polars cannot name ('+05:30') made it panic."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sign, hours, minutes = zone[0], int(zone[1:3]), int(zone[4:6])
    offset = timezone((1 if sign == "+" else -1) * timedelta(hours=hours, minutes=minutes))

    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({  # the values are wall-clock times in the zone
            name: pa.array([v.replace(tzinfo=offset) for v in values], pa.timestamp("us", tz=zone)) if name in zoned
            else values for name, values in columns.items()}), path)
    return apply


def pa_array(values: list, zone: str | None = None):
    import pyarrow as pa

    return pa.array(values, pa.timestamp("us", tz=zone)) if zone else pa.array(values)


def pa_decimal256(values: list[str], precision: int, scale: int):
    from decimal import Decimal

    import pyarrow as pa

    return pa.array([Decimal(v) for v in values], pa.decimal256(precision, scale))


def pa_struct_with_zoned_time():
    import pyarrow as pa

    kind = pa.struct([("when", pa.timestamp("us", tz="+05:30")), ("note", pa.string())])
    return pa.array([{"when": datetime(2026, 9, 5, 10, 0, tzinfo=timezone.utc), "note": "n"}], kind)


def _write_arrow(root: Path, rel: str, columns: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_arrays(list(columns.values()), names=list(columns)), path)


def link_outside(rel: str) -> Callable[[Path], None]:
    """A fault: a landing file that is a symbolic link to a valid CSV outside the landing folder."""
    def fault(root: Path) -> None:
        outside = root.parent / f"outside-{uuid.uuid4().hex}.csv"
        outside.write_text(csv_text(DELIVERY_HEADER, "SECRET1,V1,2026-09-10,2026-09-09,10,,,"))
        (root / rel).symlink_to(outside)
    return fault


def links(*pairs: tuple[str, str]) -> Callable[[Path], None]:
    """A fault: symbolic links (name, target relative to the link's folder) that may lead nowhere."""
    def fault(root: Path) -> None:
        for name, target in pairs:
            (root / name).symlink_to(target)
    return fault


def make_fifo(rel: str) -> Callable[[Path], None]:
    """A fault: a named pipe where a landing file should be (reading it would wait forever)."""
    def fault(root: Path) -> None:
        os.mkfifo(root / rel)
    return fault


def make_dir(rel: str) -> Callable[[Path], None]:
    def fault(root: Path) -> None:
        target = root / rel
        if target.is_file():
            target.unlink()
        target.mkdir(parents=True)
    return fault


def remove(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


def rename(rel: str, to: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).rename(root / to)


def with_row(fault: Callable[[Path], None], row: Callable[[Path], None]) -> Callable[[Path], None]:
    """A fault plus a row that depends on it (to see what the fault does to other feeds)."""
    def both(root: Path) -> None:
        fault(root)
        row(root)
    return both


# --- the cases --------------------------------------------------------------------------------------

class Q(NamedTuple):
    """One expected quarantine row; `reason` is a part of the reason text."""
    feed: str
    source_file: str
    row_number: int
    column_name: str | None
    reason: str


@dataclass(frozen=True)
class Case:
    id: str
    fault: Callable[[Path], None]
    quarantined: tuple[Q, ...] = ()  # exactly these rows, nothing else
    blocking: tuple[str, ...] = ()  # parts of the one blocking message (file, line, column, what)
    added: dict[str, int] = field(default_factory=dict)  # data rows the fault adds, per feed
    duplicates: dict[str, int] = field(default_factory=dict)
    check: Callable | None = None  # extra assertions on the dry run's database (con)


def check_bom(con) -> None:
    assert sorted(r[0] for r in con.execute("SELECT vendor_id FROM vendors").fetchall()) == ["V1", "V2", "V3"]


def check_blank_lines(con) -> None:
    rows = con.execute("SELECT delivery_id, _row_number FROM deliveries WHERE _source_file = 'deliveries/late.csv' "
                       "ORDER BY 2").fetchall()
    assert rows == [("D9", 3), ("D8", 7)]  # line numbers count the blank lines


def check_overflow_kept(con) -> None:
    raw = con.execute("SELECT raw_record FROM quarantine WHERE source_file = 'deliveries/late.csv'").fetchall()[0][0]
    assert json.loads(raw)["_overflow"] == "extra,more"


def check_flags_as_floats(con) -> None:
    rows = con.execute("SELECT complaint_id, apologized, explained FROM complaints "
                       "WHERE _source_file = 'complaints/pandas.parquet' ORDER BY 1").fetchall()
    assert rows == [("C7", True, None), ("C8", False, True), ("C9", None, False)]


def check_nan_optional_numbers_empty(con) -> None:
    rows = con.execute("SELECT delivery_id, qty_delivered, qty_rejected, order_value FROM deliveries "
                       "WHERE _source_file = 'deliveries/nan.parquet' ORDER BY 1").fetchall()
    assert rows == [("D7", None, None, None), ("D9", 10, 0, 55.5)]


def check_summary_cut(con) -> None:
    (summary,) = con.execute("SELECT summary FROM complaints WHERE complaint_id = 'C9'").fetchone()
    assert len(summary) == 10_000 and summary == LONG_SUMMARY[:9_999] + "…"


def check_duplicate_counted_once(con) -> None:
    rows = con.execute("SELECT _source_file, _row_number FROM deliveries WHERE delivery_id = 'D1'").fetchall()
    assert rows == [("deliveries/deliveries.csv", 2)]


def check_mixed_case_booleans(con) -> None:
    rows = con.execute("SELECT apologized, explained, restitution FROM complaints WHERE complaint_id = 'C9'").fetchall()
    assert rows == [(True, False, False)]


def check_midnight_dates(con) -> None:
    rows = con.execute("SELECT month, promised_date, delivered_date FROM deliveries WHERE delivery_id = 'D9'").fetchall()
    assert rows == [(MONTH, date(2026, 9, 10), date(2026, 9, 12))]


def check_half_hour_zone(con) -> None:
    # 2026-09-05 10:00 at +05:30 is 04:30 UTC; a date column's midnight at +05:30 is that date.
    rows = con.execute("SELECT opened_at, acknowledged_at FROM complaints WHERE complaint_id = 'C9'").fetchall()
    assert rows == [(datetime(2026, 9, 5, 4, 30), datetime(2026, 9, 5, 5, 0))]
    rows = con.execute("SELECT promised_date, delivered_date FROM deliveries WHERE delivery_id = 'D9'").fetchall()
    assert rows == [(date(2026, 9, 10), date(2026, 9, 12))]


def check_offset_to_utc(con) -> None:
    rows = con.execute("SELECT month, opened_at, acknowledged_at FROM complaints WHERE complaint_id = 'C9'").fetchall()
    # 2026-10-01 01:00 at +02:00 is 2026-09-30 23:00 UTC: a September complaint.
    assert rows == [(MONTH, datetime(2026, 9, 30, 23, 0), datetime(2026, 10, 1, 0, 30))]


def check_binary_summary_read_as_text(con) -> None:
    rows = con.execute("SELECT summary FROM complaints WHERE complaint_id = 'C9'").fetchall()
    assert rows == [("ok",)]


def check_renamed_optional_kept(con) -> None:
    rows = con.execute("SELECT order_value, _extra FROM deliveries WHERE delivery_id = 'D9'").fetchall()
    assert len(rows) == 1 and rows[0][0] is None
    assert json.loads(rows[0][1]) == {"order_val": "55"}


def check_nested_extra_kept(con) -> None:
    rows = con.execute("SELECT qty_ordered, _extra FROM deliveries WHERE delivery_id = 'D9'").fetchall()
    assert len(rows) == 1 and rows[0][0] == 10
    assert json.loads(json.loads(rows[0][1])["tags"]) == ["fragile", "cold"]


def check_binary_extra_as_hex(con) -> None:
    rows = con.execute("SELECT delivery_id, _extra FROM deliveries WHERE _source_file = 'deliveries/late.parquet' "
                       "ORDER BY 1").fetchall()
    assert [(d, json.loads(e)) for d, e in rows] == [("D7", {"row_guid": "0001"}), ("D9", {"row_guid": "8000ff10"})]


D_OK = "D8,V1,2026-09-11,2026-09-11,4,,,"  # a clean delivery, for faults that sit among good rows
LONG_SUMMARY = "x" * 10_000_000

CASES = [
    # Encodings and CSV dialects
    Case("latin1_byte_in_vendor_name",
         with_row(vendors_file(b"V9,Caf\xe9 Ltd,packaging,,"), late_deliveries("D9,V9,2026-09-10,2026-09-09,10,,,")),
         quarantined=(Q("vendors", "vendors.csv", 5, "vendor_name", "not valid UTF-8 (byte 0xE9"),
                      # its delivery: the vendor is in vendors.csv but rejected there, and the reason says so
                      Q("deliveries", "deliveries/late.csv", 2, "vendor_id",
                        "vendor_id 'V9' is rejected in vendors.csv (vendors.csv:5)")),
         added={"vendors": 1, "deliveries": 1}),
    Case("latin1_byte_in_complaint_summary",
         put("complaints/late.csv", csv_text(COMPLAINT_HEADER).encode()
             + b"C9,V2,2026-09-05T10:00:00,,,,,,,,,,caf\xe9 au lait\n"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "summary", "not valid UTF-8 (byte 0xE9"),),
         added={"complaints": 1}),
    Case("latin1_file_every_line",  # the whole export in Latin-1: not one row readable, the file stops the run
         put("complaints/late.csv", csv_text(COMPLAINT_HEADER).encode()
             + b"C9,V2,2026-09-05T10:00:00,,,,,,,,,,caf\xe9\nC8,V2,2026-09-06T10:00:00,,,,,,,,,,th\xe9\n"
             + b"C7,V1,2026-09-07T10:00:00,,,,,,,,,,cr\xe8me\n"),
         blocking=("complaints/late.csv:2:", "not one of its 3 rows can be read", "not valid UTF-8")),
    Case("vendors_header_only", put("vendors.csv", csv_text(VENDOR_HEADER)),
         blocking=("vendors.csv:", "no valid vendor (it lists no vendor)")),
    Case("vendors_every_row_rejected",
         put("vendors.csv", csv_text(VENDOR_HEADER, "V1,,packaging,,", "V2,Acme,packaging,maybe,")),
         blocking=("vendors.csv:", "no valid vendor (all 2 rows rejected: ", "is_self: ", "vendor_name: ")),
    Case("two_rows_are_our_own_company",  # review: one of them vanished from the executive PDF, silently
         put("vendors.csv", csv_text(VENDOR_HEADER, "V1,Acme,packaging,true,", "V2,Bolt,packaging,,",
                                     "V3,Cirrus,logistics,YES,", "V4,Dyne,logistics,maybe,")),
         blocking=("vendors.csv column 'is_self': true on 2 rows (lines 2, 4); only one row can be our own company",)),
    Case("utf8_bom_accepted", vendors_file(bom=True), check=check_bom),
    Case("utf16_file", put("deliveries/late.csv", csv_text(DELIVERY_HEADER, D_OK).encode("utf-16")),
         blocking=("deliveries/late.csv:1:", "UTF-16")),
    Case("utf16_file_without_a_bom", put("deliveries/late.csv", csv_text(DELIVERY_HEADER, D_OK, D_OK).encode("utf-16-le")),
         blocking=("deliveries/late.csv:1:", "holds NUL bytes on", "UTF-16")),
    Case("gzip_named_csv", put("deliveries/late.csv", __import__("gzip").compress(csv_text(DELIVERY_HEADER, D_OK).encode(), mtime=0)),
         blocking=("deliveries/late.csv:1:", "holds NUL bytes on", "binary")),
    # Review: one NUL byte in a complaint's summary stopped the whole run, naming no line.
    Case("stray_nul_byte_in_a_field", put("complaints/late.csv", csv_text(COMPLAINT_HEADER).encode()
         + b"C8,V2,2026-09-06T10:00:00,,,,,,,,,,ok\nC9,V2,2026-09-05T10:00:00,,,,,,,,,,Box\x00 torn\n"),
         quarantined=(Q("complaints", "complaints/late.csv", 3, "summary", "holds a NUL byte (position 39 of line 3): not text"),),
         added={"complaints": 2}),
    Case("semicolon_delimited", put("deliveries/late.csv", csv_text(DELIVERY_HEADER, D_OK).replace(",", ";")),
         blocking=("deliveries/late.csv:1:", "';'-delimited")),
    Case("blank_lines_skipped",
         put("deliveries/late.csv", csv_text(DELIVERY_HEADER, "", "D9,V1,2026-09-10,2026-09-09,10,,,", "",
                                             ",,,,,,,", "  ", D_OK, "")),
         added={"deliveries": 2}, check=check_blank_lines),
    Case("header_only", late_deliveries(), added={}),
    Case("truncated_last_line",  # the export stopped mid-row: no final newline, fields missing
         put("deliveries/late.csv", csv_text(DELIVERY_HEADER, D_OK, "D9,V1,2026-09-1", end="")),
         quarantined=(Q("deliveries", "deliveries/late.csv", 3, None, "row has 3 fields, the header has 8"),),
         added={"deliveries": 2}),
    Case("too_many_fields", late_deliveries("D9,V1,2026-09-10,2026-09-09,10,,,,extra,more"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, None, "row has 10 fields, the header has 8"),),
         added={"deliveries": 1}, check=check_overflow_kept),
    Case("unterminated_quote",
         late_complaints('C9,V2,2026-09-05T10:00:00,,,,,,,,,,"never closed', "C8,V2,2026-09-06T10:00:00,,,,,,,,,,"),
         blocking=("complaints/late.csv:2:", "never closed")),
    Case("text_after_closing_quote", late_complaints('C9,V2,2026-09-05T10:00:00,,,,,,,,,,"12" pipe'),
         blocking=("complaints/late.csv:2:", "text after the closing quote")),
    Case("repeated_header_row", late_deliveries("D9,V1,2026-09-10,2026-09-09,10,,,", ",".join(DELIVERY_HEADER), D_OK),
         quarantined=(Q("deliveries", "deliveries/late.csv", 3, None, "repeats the header row"),),
         added={"deliveries": 3}),
    Case("repeated_header_row_with_bom",  # review: a second file pasted on with `cat` brings its BOM
         late_deliveries("D9,V1,2026-09-10,2026-09-09,10,,,", "\ufeff" + ",".join(DELIVERY_HEADER), D_OK),
         quarantined=(Q("deliveries", "deliveries/late.csv", 3, None, "repeats the header row"),),
         added={"deliveries": 3}),
    Case("id_too_long",  # an id is printed whole in the reports: 30,000 characters stalled a PDF for minutes
         late_complaints(f"{'C' * 30_000},V2,2026-09-05T10:00:00,,,,,,,,,,", "C8,V2,2026-09-06T10:00:00,,,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "complaint_id", "id is 30000 characters long (in Unicode NFC, as stored); the limit is 256"),),
         added={"complaints": 2}),
    # Review: a 100,000-character summary quarantined its complaint, so the vendor scored better;
    # the complaint stands, its summary cut at 10,000 characters.
    Case("ten_mb_single_line_field", late_complaints(f"C9,V2,2026-09-05T10:00:00,,,,,,,,,,{LONG_SUMMARY}"),
         added={"complaints": 1}, check=lambda con: check_summary_cut(con)),
    # Values that do not parse
    Case("text_in_number_column", late_deliveries("D9,V1,2026-09-10,2026-09-09,ten,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_ordered", "not a number, got 'ten'"),),
         added={"deliveries": 1}),
    Case("digit_separator_in_number", late_deliveries("D9,V1,2026-09-10,2026-09-09,1_000,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_ordered", "not a number, got '1_000'"),),
         added={"deliveries": 1}),
    Case("day_first_date_one_row", late_deliveries("D9,V1,31/10/2026,,10,,,", D_OK, "D7,V2,2026-09-12,,3,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "promised_date",
                        "not an ISO date (YYYY-MM-DD), got '31/10/2026'"),),
         added={"deliveries": 3}),
    Case("day_first_dates_whole_file",
         late_deliveries("D9,V1,31/10/2026,,10,,,", "D8,V1,30/09/2026,,10,,,", "D7,V1,15/09/2026,,10,,,"),
         blocking=("deliveries/late.csv:2 column 'promised_date'", "none of its 3 values parses", "31/10/2026")),
    # Review: 3 bad severities among rows that leave it empty blocked the run as a wrongly typed
    # column; a column filled in fewer than half the rows is a few bad rows.
    Case("a_few_bad_values_in_a_sparse_column",
         late_complaints(*[f"S{i},V2,2026-09-0{i}T10:00:00,,,,,,,,,," for i in range(1, 6)],
                         *[f"S{i},V2,2026-09-0{i}T10:00:00,,,,bogus,,,,,," for i in range(6, 9)]),
         quarantined=tuple(Q("complaints", "complaints/late.csv", n, "severity",
                             "not one of low/medium/high/critical, got 'bogus'") for n in (7, 8, 9)),
         added={"complaints": 8}),
    Case("unknown_severity", late_complaints("C9,V2,2026-09-05T10:00:00,,,,urgent,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "severity",
                        "not one of low/medium/high/critical, got 'urgent'"),),
         added={"complaints": 1}),
    Case("unknown_disclosed_by", late_complaints("C9,V2,2026-09-05T10:00:00,,,,,,auditor,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "disclosed_by",
                        "not one of vendor/customer, got 'auditor'"),),
         added={"complaints": 1}),
    # Hostile review: a name that prints as nothing (a zero-width space, a bidi override alone) was
    # accepted, and the vendor or product printed blank in every report.
    Case("vendor_name_of_invisible_characters_only", vendors_file("V9,\u200b\u200c,packaging,,"),
         quarantined=(Q("vendors", "vendors.csv", 5, "vendor_name",
                        "required value is missing: it holds only invisible characters and spaces (U+200B first)"),),
         added={"vendors": 1}),
    Case("vendor_name_of_braille_blanks_only", vendors_file("V9,\u2800 \u2800,packaging,,"),
         quarantined=(Q("vendors", "vendors.csv", 5, "vendor_name",
                        "required value is missing: it holds only invisible characters and spaces (U+2800 first)"),),
         added={"vendors": 1}),
    Case("product_of_a_bidi_override_only", late_announcements("A9,V3,\u202e,announced,2026-06-01,2026-09-20,"),
         quarantined=(Q("announcements", "announcements/late.csv", 2, "product",
                        "required value is missing: it holds only invisible characters and spaces (U+202E first)"),),
         added={"announcements": 1}),
    Case("unknown_event", late_announcements("A9,V3,Gizmo,launched,2026-06-01,2026-09-20,"),
         quarantined=(Q("announcements", "announcements/late.csv", 2, "event",
                        "not one of announced/revised/shipped/cancelled, got 'launched'"),),
         added={"announcements": 1}),
    Case("bad_boolean", late_complaints("C9,V2,2026-09-05T10:00:00,,,,,,,maybe,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "apologized",
                        "not a boolean (true/false, 1/0, yes/no), got 'maybe'"),),
         added={"complaints": 1}),
    Case("mixed_case_booleans_accepted", late_complaints("C9,V2,2026-09-05T10:00:00,,,,,,,YES,False,nO,"),
         added={"complaints": 1}, check=check_mixed_case_booleans),
    Case("timestamp_with_offset_to_utc",
         late_complaints("C9,V2,2026-10-01T01:00:00+02:00,2026-10-01T02:30:00+02:00,,,,,,,,,"),
         added={"complaints": 1}, check=check_offset_to_utc),
    # Values that parse but break a rule
    Case("delivered_after_as_of", late_deliveries("D9,V1,2026-09-10,2026-12-09,10,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "delivered_date",
                        "date 2026-12-09 is after the run's as-of date (TRUSTCARD_AS_OF, default today)"),),
         added={"deliveries": 1}),
    Case("promised_date_2206", late_deliveries("D9,V1,2206-09-10,,10,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "promised_date", "more than 5 years after"),),
         added={"deliveries": 1}),
    Case("promised_ship_date_2206", late_announcements("A9,V3,Gizmo,announced,2026-06-01,2206-09-20,"),
         quarantined=(Q("announcements", "announcements/late.csv", 2, "promised_ship_date",
                        "more than 10 years after"),),
         added={"announcements": 1}),
    Case("opened_after_as_of", late_complaints("C9,V2,2026-12-05T10:00:00,,,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "opened_at", "after the run's as-of date"),),
         added={"complaints": 1}),
    # The as-of date is 2026-11-26: 22:00 at -05:00 that day is 03:00 UTC on the 27th, and the
    # reason says the date it judged is the UTC one (it quoted 2026-11-27 as if local).
    Case("acknowledged_after_as_of_in_utc", late_complaints("C9,V2,2026-11-20T10:00:00,2026-11-26T22:00:00-05:00,,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "acknowledged_at",
                        "date 2026-11-27 (in UTC) is after the run's as-of date"),),
         added={"complaints": 1}),
    Case("negative_qty_ordered", late_deliveries("D9,V1,2026-09-10,2026-09-09,-5,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_ordered", "must be > 0, got -5"),),
         added={"deliveries": 1}),
    Case("zero_qty_ordered", late_deliveries("D9,V1,2026-09-10,2026-09-09,0,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_ordered", "must be > 0, got 0"),),
         added={"deliveries": 1}),
    Case("negative_qty_delivered", late_deliveries("D9,V1,2026-09-10,2026-09-09,10,-1,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_delivered", "must be >= 0, got -1"),),
         added={"deliveries": 1}),
    Case("rejected_more_than_delivered", late_deliveries("D9,V1,2026-09-10,2026-09-09,10,5,6,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_rejected",
                        "rejected 6 is more than delivered 5"),),
         added={"deliveries": 1}),
    Case("missing_required_value", late_deliveries(",V1,2026-09-10,2026-09-09,10,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "delivery_id", "required value is missing"),),
         added={"deliveries": 1}),
    Case("acknowledged_before_opened", late_complaints("C9,V2,2026-09-05T10:00:00,2026-09-05T09:00:00,,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "acknowledged_at",
                        "acknowledged 2026-09-05 09:00:00 before it was opened 2026-09-05 10:00:00"),),
         added={"complaints": 1}),
    Case("resolved_before_opened", late_complaints("C9,V2,2026-09-05T10:00:00,,2026-09-04T09:00:00,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "resolved_at",
                        "resolved 2026-09-04 09:00:00 before it was opened"),),
         added={"complaints": 1}),
    Case("unknown_vendor", late_deliveries("D9,V9,2026-09-10,2026-09-09,10,,,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "vendor_id",
                        "unknown vendor_id 'V9' (not in vendors.csv)"),),
         added={"deliveries": 1}),
    # Hostile review: 'v1' beside a vendors.csv holding 'V1' was only "unknown", with no hint.
    Case("vendor_id_written_in_another_case", late_complaints("C9,v1,2026-09-05T10:00:00,,,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "vendor_id",
                        "unknown vendor_id 'v1' (not in vendors.csv, which has 'V1': ids are compared exactly, "
                        "case too)"),),
         added={"complaints": 1}),
    Case("announcement_first_event_revised",
         late_announcements("A9,V3,Gizmo,revised,2026-05-01,2026-09-25,",
                            "A9,V3,Gizmo,announced,2026-06-01,2026-09-20,"),
         # the announcement's history cannot be trusted: both its events go
         quarantined=(Q("announcements", "announcements/late.csv", 2, "event", "the first event is 'revised'"),
                      Q("announcements", "announcements/late.csv", 3, "event", "the first event is 'revised'")),
         added={"announcements": 2}),
    # Review: a promise made on 2026-06-01 for 2026-03-01 fell due in March and marked the vendor
    # down for March to May, before it had promised anything; the announcement goes whole.
    Case("announced_with_a_ship_date_already_past", late_announcements("A9,V3,Gizmo,announced,2026-06-01,2026-03-01,",
                                                                       "A9,V3,,shipped,2026-06-02,,"),
         quarantined=(Q("announcements", "announcements/late.csv", 2, "promised_ship_date",
                        "promised 2026-03-01, before the announcement was made on 2026-06-01: a ship date already past is no promise"),
                      Q("announcements", "announcements/late.csv", 3, "event",
                        "its first announced event (announcements/late.csv:2) is rejected, so its first promise is unknown")),
         added={"announcements": 2}),
    Case("announced_without_promised_ship_date", late_announcements("A9,V3,Gizmo,announced,2026-06-01,,"),
         quarantined=(Q("announcements", "announcements/late.csv", 2, "promised_ship_date",
                        "required when event is 'announced'"),),
         added={"announcements": 1}),
    # Keys across files
    Case("duplicate_key_identical_across_files", late_deliveries(",".join(DELIVERIES[0])),
         added={"deliveries": 1}, duplicates={"deliveries": 1}, check=check_duplicate_counted_once),
    # The same values in another notation are one record: typed, they are equal.
    Case("duplicate_key_other_notation", late_deliveries("D1,V1,2026-09-10,2026-09-09,10.0,,,100.00"),
         added={"deliveries": 1}, duplicates={"deliveries": 1}, check=check_duplicate_counted_once),
    Case("duplicate_key_as_parquet", parquet("deliveries/reexport.parquet", pl.DataFrame({
            "delivery_id": ["D1"], "vendor_id": ["V1"], "promised_date": [date(2026, 9, 10)],
            "delivered_date": [date(2026, 9, 9)], "qty_ordered": [10.0], "qty_delivered": [None],
            "qty_rejected": [None], "order_value": [100.0]}, schema_overrides={
            "qty_delivered": pl.Float64, "qty_rejected": pl.Float64})),
         added={"deliveries": 1}, duplicates={"deliveries": 1}, check=check_duplicate_counted_once),
    # Review: pandas writes a 1/0 column with a missing value as float64; 1.0 was 'not a boolean'.
    Case("flags_written_as_floats", parquet("complaints/pandas.parquet", pl.DataFrame({
            "complaint_id": ["C7", "C8", "C9"], "vendor_id": ["V2"] * 3,
            "opened_at": ["2026-09-05T10:00:00Z"] * 3, "apologized": [1.0, 0.0, None],
            "explained": [float("nan"), 1.0, 0.0]})),
         added={"complaints": 3}, check=lambda con: check_flags_as_floats(con)),
    Case("duplicate_complaint_other_offset_notation",
         late_complaints("C1,V1,2026-09-03T10:00:00+00:00,2026-09-03T12:00:00-02:00,2026-09-05T10:00:00Z,,HIGH,"
                         "packaging,vendor,1,TRUE,no,Crushed boxes"),
         added={"complaints": 1}, duplicates={"complaints": 1}),
    # The contract's defaults written out are the same values as left empty: copies, not conflicts.
    Case("duplicate_key_with_defaults_written_out", late_deliveries("D1,V1,2026-09-10,2026-09-09,10,10,0,100"),
         added={"deliveries": 1}, duplicates={"deliveries": 1}, check=check_duplicate_counted_once),
    Case("duplicate_complaints_with_defaults_written_out",
         late_complaints("C2,V2,2026-09-12T08:00:00,2026-09-13T08:00:00,,,low,,customer,no,false,0,Late reply",
                         "C3,V3,2026-09-14T08:00:00Z,,,,,late,,,,,Slow", "C3,V3,2026-09-14T08:00:00Z,,,,Medium,late,,,,,Slow"),
         added={"complaints": 3}, duplicates={"complaints": 2}),
    Case("duplicate_vendor_with_default_written_out", vendors_file("V2,Bolt,packaging,FALSE,"),
         added={"vendors": 1}, duplicates={"vendors": 1}),
    Case("undelivered_copy_with_nothing_delivered_written_out", late_deliveries("D3,V2,2026-09-20,,5,0,0,"),
         added={"deliveries": 1}, duplicates={"deliveries": 1}),
    Case("undelivered_copy_with_a_quantity_conflicts", late_deliveries("D3,V2,2026-09-20,,5,3,,"),
         quarantined=tuple(Q("deliveries", f, n, "delivery_id", "delivery_id 'D3' appears with different values in "
                             "deliveries/deliveries.csv:4, deliveries/late.csv:2")
                           for f, n in (("deliveries/deliveries.csv", 4), ("deliveries/late.csv", 2))),
         added={"deliveries": 1}),
    Case("conflicting_key_across_files", late_deliveries("D1,V1,2026-09-10,2026-09-09,11,,,100"),
         quarantined=tuple(Q("deliveries", f, 2, "delivery_id", "delivery_id 'D1' appears with different values in "
                             "deliveries/deliveries.csv:2, deliveries/late.csv:2")
                           for f in ("deliveries/deliveries.csv", "deliveries/late.csv")),
         added={"deliveries": 1}),
    # Review: of two identical bad lines only the first was quarantined, the second counted as a
    # duplicate; mended, the first came back as rejected (the second's turn). Every copy is listed.
    Case("identical_bad_deliveries_both_quarantined",
         late_deliveries("D9,V9,2026-09-10,2026-09-09,10,,,", "D9,V9,2026-09-10,2026-09-09,10,,,"),
         quarantined=tuple(Q("deliveries", "deliveries/late.csv", n, "vendor_id",
                             "unknown vendor_id 'V9' (not in vendors.csv)") for n in (2, 3)),
         added={"deliveries": 2}),
    Case("identical_bad_complaints_both_quarantined",
         late_complaints("C9,V2,2026-09-05T10:00:00,,2026-09-04T09:00:00,,,,,,,,",
                         "C9,V2,2026-09-05T10:00:00Z,,2026-09-04T09:00:00,,,,,,,,"),
         quarantined=tuple(Q("complaints", "complaints/late.csv", n, "resolved_at",
                             "resolved 2026-09-04 09:00:00 before it was opened") for n in (2, 3)),
         added={"complaints": 2}),
    Case("identical_bad_announcement_events_both_quarantined",
         late_announcements("A9,V9,Gizmo,announced,2026-06-01,2026-09-20,", "A9,V9,Gizmo,announced,2026-06-01,2026-09-20,"),
         quarantined=tuple(Q("announcements", "announcements/late.csv", n, "vendor_id",
                             "unknown vendor_id 'V9' (not in vendors.csv)") for n in (2, 3)),
         added={"announcements": 2}),
    Case("identical_bad_vendors_both_quarantined", vendors_file("V9,\u200b,packaging,,", "V9,\u200b,packaging,,"),
         quarantined=tuple(Q("vendors", "vendors.csv", n, "vendor_name", "invisible") for n in (5, 6)),
         added={"vendors": 2}),
    Case("vendors_conflicting_vendor_id", vendors_file("V1,Acme Holdings,packaging,false,"),
         quarantined=(
             *(Q("vendors", "vendors.csv", n, "vendor_id", "vendor_id 'V1' appears with different values in "
                 "vendors.csv:2, vendors.csv:5") for n in (2, 5)),
             # every row of V1 is left out, and each says why
             *(Q(feed, f"{feed}/{feed}.csv", n, "vendor_id",
                 "vendor_id 'V1' is rejected in vendors.csv (vendors.csv:2, vendors.csv:5)")
               for feed, n in [("deliveries", 2), ("deliveries", 3), ("complaints", 2),
                               ("announcements", 2), ("announcements", 3), ("announcements", 4)])),
         added={"vendors": 1}),
    # Columns
    Case("required_column_renamed",
         put("deliveries/late.csv", csv_text(DELIVERY_HEADER, D_OK).replace("promised_date", "promise_date", 1)),
         blocking=("deliveries/late.csv:1 column 'promised_date'", "missing required column", "promise_date")),
    Case("optional_column_renamed_kept_as_extra",
         put("deliveries/late.csv", csv_text(DELIVERY_HEADER, "D9,V1,2026-09-10,2026-09-09,10,,,55")
             .replace("order_value", "order_val", 1)),
         added={"deliveries": 1}, check=check_renamed_optional_kept),
    Case("required_column_missing",
         put("deliveries/late.csv", "delivery_id,vendor_id,promised_date,delivered_date\nD9,V1,2026-09-10,\n"),
         blocking=("deliveries/late.csv:1 column 'qty_ordered'", "missing required column")),
    # Files
    Case("empty_file", put("deliveries/late.csv", b""), blocking=("deliveries/late.csv:", "empty")),
    Case("binary_without_nul_bytes", put("deliveries/late.csv", bytes(range(1, 256)) * 4),
         blocking=("deliveries/late.csv:1:", "not text")),
    Case("tab_delimited", put("deliveries/late.csv", "\t".join(DELIVERY_HEADER) + "\nD9\tV1\t2026-09-10\t\t10\t\t\t\n"),
         blocking=("deliveries/late.csv:1:", "tab-delimited")),
    # Review: "missing required column (header has: delivery_id, ...)" while seeming to list it: an
    # invisible character in the name (a second BOM, a zero-width space) printed as nothing.
    Case("zero_width_space_in_a_header_name",
         put("deliveries/late.csv", csv_text([h.replace("qty_ordered", "qty_\u200bordered") for h in DELIVERY_HEADER],
                                             "D9,V1,2026-09-10,,10,,,")),
         blocking=("deliveries/late.csv:1 column 'qty_ordered'", "header names 'qty_<U+200B>ordered'",
                   "an invisible character")),
    Case("two_byte_order_marks",
         put("deliveries/late.csv", "\ufeff\ufeff" + csv_text(DELIVERY_HEADER, "D9,V1,2026-09-10,,10,,,")),
         blocking=("deliveries/late.csv:1 column 'delivery_id'", "header names '<U+FEFF>delivery_id'")),
    # Review: a link to nothing, or a loop, ended `validate` with a raw OS error and exit code 1.
    Case("symlink_to_nothing", links(("deliveries/x.csv", "gone.csv")),
         blocking=("deliveries/x.csv:", "a symbolic link to a file that does not exist")),
    Case("symlink_loop", links(("deliveries/x.csv", "y.csv"), ("deliveries/y.csv", "x.csv")),
         blocking=("deliveries/x.csv:", "a loop of symbolic links")),
    Case("symlink_out_of_the_landing_folder", link_outside("deliveries/link.csv"),
         blocking=("deliveries/link.csv:", "outside the landing folder")),
    Case("named_pipe_instead_of_file", make_fifo("deliveries/late.csv"),  # review: hung validate and run
         blocking=("deliveries/late.csv:", "not a regular file")),
    Case("directory_instead_of_file", make_dir("deliveries/late.csv"),
         blocking=("deliveries/late.csv:", "is a directory")),
    Case("unsupported_extension", put("deliveries/late.xlsx", b"PK\x03\x04 not a csv"),
         blocking=("deliveries/late.xlsx:", "unsupported file type '.xlsx'")),
    Case("corrupt_parquet", put("deliveries/late.parquet", b"PAR1 this is not parquet PAR1"),
         blocking=("deliveries/late.parquet:", "unreadable Parquet file")),
    Case("parquet_nested_extra_column_kept",
         parquet("deliveries/late.parquet", pl.DataFrame({
             "delivery_id": ["D9"], "vendor_id": ["V1"], "promised_date": [date(2026, 9, 10)], "qty_ordered": [10],
             "tags": [["fragile", "cold"]]})),
         added={"deliveries": 1}, check=check_nested_extra_kept),
    # pandas writes dates as timestamp[ns]: midnight values are the dates they stand for...
    Case("parquet_dates_as_midnight_timestamps",
         parquet("deliveries/late.parquet", pl.DataFrame({
             "delivery_id": ["D9"], "vendor_id": ["V1"], "promised_date": [datetime(2026, 9, 10)],
             "delivered_date": [datetime(2026, 9, 12)], "qty_ordered": [10]})),
         added={"deliveries": 1}, check=check_midnight_dates),
    # ...a time of day in a date column is not a date.
    Case("parquet_date_with_a_time_of_day",
         parquet("deliveries/late.parquet", pl.DataFrame({
             "delivery_id": ["D9", "D8"], "vendor_id": ["V1", "V1"],
             "promised_date": [datetime(2026, 9, 10), datetime(2026, 9, 11, 14, 30)], "qty_ordered": [10, 10]})),
         quarantined=(Q("deliveries", "deliveries/late.parquet", 2, "promised_date",
                        "not an ISO date (YYYY-MM-DD), got '2026-09-11T14:30:00'"),),
         added={"deliveries": 2}),
    # pandas writes a '+05:30' offset parsed from text as the Arrow zone '+05:30'.
    Case("parquet_timestamps_in_a_half_hour_zone",
         lambda root: (zoned_parquet("complaints/late.parquet", {
             "complaint_id": ["C9"], "vendor_id": ["V1"], "opened_at": [datetime(2026, 9, 5, 10, 0)],
             "acknowledged_at": [datetime(2026, 9, 5, 10, 30)]}, "+05:30", ("opened_at", "acknowledged_at"))(root),
             zoned_parquet("deliveries/late.parquet", {
                 "delivery_id": ["D9"], "vendor_id": ["V1"], "promised_date": [datetime(2026, 9, 10)],
                 "delivered_date": [datetime(2026, 9, 12)], "qty_ordered": [10]}, "+05:30",
                 ("promised_date", "delivered_date"))(root)),
         added={"complaints": 1, "deliveries": 1}, check=check_half_hour_zone),
    # Review: a zoned timestamp inside an extra (nested) column blocked the file; an unknown zone on
    # a date column named no column; a duplicate column name gave pyarrow's message.
    Case("parquet_zoned_timestamp_in_an_extra_struct_column", lambda root: _write_arrow(root, "complaints/late.parquet", {
        "complaint_id": pa_array(["C9"]), "vendor_id": pa_array(["V1"]),
        "opened_at": pa_array([datetime(2026, 9, 5, 10, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))], "+05:30"),
        "meta": pa_struct_with_zoned_time()}),
         added={"complaints": 1}),
    Case("parquet_date_column_in_an_unknown_zone", lambda root: _write_arrow(root, "deliveries/late.parquet", {
        "delivery_id": pa_array(["D9"]), "vendor_id": pa_array(["V1"]),
        "promised_date": pa_array([0], "Mars/Base"), "qty_ordered": pa_array([10])}),
         blocking=("deliveries/late.parquet column 'promised_date'", "time zone 'Mars/Base' cannot be read")),
    Case("parquet_zoned_file_with_a_column_twice", lambda root: _write_arrow(root, "complaints/late.parquet", {
        "complaint_id": pa_array(["C9"]), "vendor_id": pa_array(["V1"]),
        "opened_at": pa_array([datetime(2026, 9, 5, 10, 0, tzinfo=timezone.utc)], "+05:30"),
        "Opened_At": pa_array(["x"])}),
         blocking=("complaints/late.parquet column 'opened_at'", "appears twice")),
    Case("parquet_decimal_beyond_38_digits", lambda root: _write_arrow(root, "deliveries/wide.parquet", {
            "delivery_id": pa_array(["D9"]), "vendor_id": pa_array(["V1"]), "promised_date": pa_array(["2026-09-10"]),
            "qty_ordered": pa_decimal256(["10.00"], 50, 2)}),
         blocking=("deliveries/wide.parquet column 'qty_ordered'", "decimal256(50, 2)", "more than 38 digits")),
    # Hostile review: NaN, the float for "no value", in an optional number quarantined the delivery.
    Case("parquet_nan_in_optional_numbers_is_empty_and_in_qty_ordered_rejected",
         parquet("deliveries/nan.parquet", pl.DataFrame({
             "delivery_id": ["D9", "D7", "D6"], "vendor_id": ["V1"] * 3, "promised_date": ["2026-09-10"] * 3,
             "qty_ordered": [10.0, 4.0, float("nan")], "qty_delivered": [10.0, float("nan"), 4.0],
             "qty_rejected": [0.0, float("nan"), 0.0], "order_value": [55.5, float("nan"), 1.0]})),
         quarantined=(Q("deliveries", "deliveries/nan.parquet", 3, "qty_ordered", "not a number, got 'NaN'"),),
         added={"deliveries": 3}, check=check_nan_optional_numbers_empty),
    Case("parquet_text_value_holding_a_nul",
         parquet("complaints/late.parquet", pl.DataFrame({
             "complaint_id": ["C9", "C8"], "vendor_id": ["V1", "V1"], "opened_at": ["2026-09-05T10:00:00Z"] * 2,
             "summary": ["ok", "cut\x00 short"]})),
         quarantined=(Q("complaints", "complaints/late.parquet", 2, "summary",
                        "holds a NUL character (position 4 of the value): not text"),),
         added={"complaints": 2}, check=check_binary_summary_read_as_text),
    Case("parquet_binary_summary_not_text",
         parquet("complaints/late.parquet", pl.DataFrame({
             "complaint_id": ["C9", "C8"], "vendor_id": ["V1", "V1"], "opened_at": ["2026-09-05T10:00:00Z"] * 2,
             "summary": [b"ok", b"caf\xe9 au lait"]})),
         quarantined=(Q("complaints", "complaints/late.parquet", 2, "summary",
                        "not valid UTF-8 (byte 0xE9 at position 4 of the value)"),),
         added={"complaints": 2}, check=check_binary_summary_read_as_text),
    # Review: a binary extra column (DuckDB writes UUIDs as 16 bytes; a row hash) refused the whole
    # file as "not valid UTF-8 ... wrong encoding or delimiter?": extras are ignored, kept as hex.
    Case("parquet_binary_summary_never_text",  # a file of bytes in a contract column: which column is said
         parquet("complaints/late.parquet", pl.DataFrame({
             "complaint_id": ["C9", "C8", "C7"], "vendor_id": ["V1"] * 3, "opened_at": ["2026-09-05T10:00:00Z"] * 3,
             "summary": [b"\xff1", b"\xfe2", b"\xfd3"]})),
         blocking=("complaints/late.parquet:1:", "not one of its 3 rows can be read",
                   "column 'summary' holds bytes that are not text?")),
    Case("parquet_binary_extra_column",
         parquet("deliveries/late.parquet", pl.DataFrame({
             "delivery_id": ["D9", "D7"], "vendor_id": ["V1", "V1"], "promised_date": ["2026-09-10"] * 2,
             "qty_ordered": [10, 10], "row_guid": [b"\x80\x00\xff\x10", b"\x00\x01"]})),
         added={"deliveries": 2}, check=check_binary_extra_as_hex),
    # Review: a contract column written another way was kept as an unknown extra, and every value
    # of an optional one read as empty (all deliveries never delivered, trust 0), with nothing said.
    Case("optional_column_with_an_invisible_character",
         put("deliveries/late.csv", csv_text([h.replace("delivered_date", "delivered\u200b_date") for h in DELIVERY_HEADER],
                                             "D9,V1,2026-09-10,2026-09-09,10,,,")),
         blocking=("deliveries/late.csv:1 column 'delivered_date'", "header names 'delivered<U+200B>_date'",
                   "an invisible character")),
    Case("optional_column_written_with_a_space",
         put("complaints/late.csv", "complaint_id,vendor_id,opened_at,Acknowledged At\nC9,V1,2026-09-05T10:00:00Z,"
                                    "2026-09-05T11:00:00Z\n"),
         blocking=("complaints/late.csv:1 column 'acknowledged_at'",
                   "header names 'acknowledged at', which is not the contract's 'acknowledged_at': rename it")),
    Case("required_column_written_with_a_hyphen",
         put("deliveries/late.csv", csv_text([h.replace("qty_ordered", "qty-ordered") for h in DELIVERY_HEADER],
                                             "D9,V1,2026-09-10,,10,,,")),
         blocking=("deliveries/late.csv:1 column 'qty_ordered'", "header names 'qty-ordered'")),
    Case("parquet_column_name_with_a_no_break_space",
         parquet("complaints/late.parquet", pl.DataFrame({
             "complaint_id": ["C9"], "vendor_id": ["V1"], "opened_at": ["2026-09-05T10:00:00Z"],
             "resolved\u00a0at": ["2026-09-06T10:00:00Z"]})),
         blocking=("complaints/late.parquet column 'resolved_at'", "header names 'resolved\u00a0at'")),
    Case("a_look_alike_beside_the_contract_column_is_an_extra",
         put("deliveries/late.csv", csv_text(DELIVERY_HEADER + ["Delivered Date"], "D9,V1,2026-09-10,2026-09-09,10,,,,x")),
         added={"deliveries": 1}),
    Case("vendors_csv_missing", remove("vendors.csv"), blocking=("vendors.csv:", "missing")),
    # Review: 'Vendors.csv' was "missing" with no word of the file beside it (folders got a hint).
    Case("vendors_csv_named_in_capitals", lambda root: (root / "vendors.csv").rename(root / "Vendors.csv"),
         blocking=("vendors.csv:", "missing", "a file 'Vendors.csv' is there: rename it 'vendors.csv'")),
    Case("vendors_csv_is_a_directory", make_dir("vendors.csv"),
         blocking=("vendors.csv:", "is a directory")),
    # Review (session 8): placeholders and impossible instants, lone carriage returns, ragged copies
    Case("placeholder_date_9999",  # an ERP's "no date": quarantined, never silently out of every window
         late_deliveries("D9,V1,9999-12-31,,10,,,", D_OK),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "promised_date",
                        "date 9999-12-31 is more than 5 years after the run's as-of date"),),
         added={"deliveries": 2}),
    Case("placeholder_delivered_dates_long_before_the_promise",  # review: 1900-01-01 read as on time
         late_deliveries("D9,V1,2026-09-10,1900-01-01,10,,,", "D5,V1,2026-09-10,1899-12-30,10,,,",
                         "D7,V1,2026-09-10,0001-01-01,10,,,", "D6,V1,2026-09-10,2021-09-10,10,,,",
                         # review: a placeholder promise is the promise's fault, not the delivered date's
                         "D44,V1,9999-12-31,2026-09-10,10,,,", D_OK),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "delivered_date",
                        "delivered 1900-01-01, more than 5 years before the promised date 2026-09-10: a placeholder"),
                      Q("deliveries", "deliveries/late.csv", 3, "delivered_date", "more than 5 years before"),
                      Q("deliveries", "deliveries/late.csv", 4, "delivered_date", "more than 5 years before"),
                      Q("deliveries", "deliveries/late.csv", 6, "promised_date",
                        "date 9999-12-31 is more than 5 years after the run's as-of date")),
         added={"deliveries": 6}),
    Case("lower_case_t_and_z_in_a_timestamp",  # review: RFC 3339 allows them, and they were rejected
         late_complaints("C9,V2,2026-09-05t10:00:00z,2026-09-05t12:30:00z,,,,,,,,,",
                         "C8,V2,2026-09-06 10:00:00+02:00,,,,,,,,,,"),
         added={"complaints": 2}),
    Case("instant_outside_years_1_to_9999",  # 9999-12-31 at -05:00 is year 10000 in UTC; year 0000 is 1 BC
         late_complaints("C9,V2,9999-12-31T23:00:00-05:00,,,,,,,,,,", "C8,V2,0000-06-15T10:00:00Z,,,,,,,,,,",
                         "C7,V2,2026-09-05T10:00:00+99:99,,,,,,,,,,", "C6,V2,2026-09-06T10:00:00+14:00,,,,,,,,,,",
                         # review: offsets beyond the world's, -12:00 to +14:00, were read
                         "C95,V2,2026-09-06T10:00:00-13:00,,,,,,,,,,", "C94,V2,2026-09-06T10:00:00+1459,,,,,,,,,,",
                         "C93,V2,2026-09-06T10:00:00-1200,,,,,,,,,,", "C92,V2,2026-09-06T10:00:00+13:45,,,,,,,,,,"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "opened_at", "not an ISO 8601 timestamp"),
                      Q("complaints", "complaints/late.csv", 3, "opened_at", "not an ISO 8601 timestamp"),
                      Q("complaints", "complaints/late.csv", 4, "opened_at", "not an ISO 8601 timestamp"),
                      Q("complaints", "complaints/late.csv", 6, "opened_at", "not an ISO 8601 timestamp"),
                      Q("complaints", "complaints/late.csv", 7, "opened_at", "not an ISO 8601 timestamp")),
         added={"complaints": 8}),
    Case("lone_carriage_return_before_a_bad_byte",  # the bad byte is C8's, not the row before it
         put("complaints/late.csv", csv_text(COMPLAINT_HEADER).encode()
             + b'C9,V2,2026-09-05T10:00:00,,,,,,,,,,"one\rtwo"\nC8,V2,2026-09-06T10:00:00,,,,,,,,,,\xe9\n'
             + b"C7,V2,2026-09-07T10:00:00,,,,,,,,,,ok\n"),
         quarantined=(Q("complaints", "complaints/late.csv", 4, "summary", "not valid UTF-8 (byte 0xE9"),),
         added={"complaints": 3}),
    Case("ragged_copy_of_an_announcement_event",  # quarantined for itself; the sound copy stays
         put("announcements/a.csv", csv_text(ANNOUNCEMENT_HEADER, "A2,V3,Gadget,announced,2026-06-01,2026-09-20")),
         quarantined=(Q("announcements", "announcements/a.csv", 2, None, "row has 6 fields, the header has 7"),),
         added={"announcements": 1}),
    # Review: the same delivery exported again with a trailing comma conflicted with its sound
    # original, and both were quarantined; the ragged copy goes, for itself, and the original stays.
    Case("ragged_copy_of_a_delivery", late_deliveries("D1,V1,2026-09-10,2026-09-09,10,,,100,"),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, None, "row has 9 fields, the header has 8"),),
         added={"deliveries": 1}),
    Case("complaint_copy_with_a_bad_byte", put("complaints/late.csv", csv_text(COMPLAINT_HEADER).encode()
         + b"C2,V2,2026-09-12T08:00:00,2026-09-13T08:00:00,,,low,,customer,,,,Late r\xe9ply\n"),
         quarantined=(Q("complaints", "complaints/late.csv", 2, "summary", "not valid UTF-8 (byte 0xE9"),),
         added={"complaints": 1}),
    # Review: 'bad\nname.csv' printed its place as two lines, the second free to pass for one of ours.
    Case("line_end_in_a_file_name", put("deliveries/bad\nname.csv", csv_text(DELIVERY_HEADER, D_OK)),
         blocking=("deliveries/bad\\nname.csv:", "a file name holding a line end")),
    # Review: Excel's 'sep=,' first line was reported as "header has an empty column name".
    Case("excel_delimiter_hint", put("deliveries/late.csv", "sep=,\n" + csv_text(DELIVERY_HEADER, D_OK)),
         blocking=("deliveries/late.csv:1:", "Excel's delimiter hint")),
    Case("excel_delimiter_hint_semicolon", put("deliveries/late.csv", "sep=;\n" + csv_text(DELIVERY_HEADER, D_OK)),
         blocking=("deliveries/late.csv:1:", "Excel's delimiter hint")),
    # Review: validate named one bad file of a feed at a time: three bad files, three rounds.
    Case("every_refused_file_named", lambda root: [put(f"deliveries/{name}", text)(root) for name, text in (
            ("a.csv", "sep=,\n" + csv_text(DELIVERY_HEADER, D_OK)),
            ("b.csv", csv_text([h.replace("_", " ") for h in DELIVERY_HEADER], D_OK)),
            ("c.csv", ""))],
         blocking=("deliveries/a.csv:1: line 1 is Excel's delimiter hint", "(also refused: deliveries/b.csv",
                   "; deliveries/c.csv: file is empty")),
    Case("reserved_column_name", put("deliveries/late.csv", csv_text(DELIVERY_HEADER + ["_overflow"], D_OK + ",x")),
         blocking=("deliveries/late.csv:1 column '_overflow'", "reserved")),
    Case("invisible_character_in_an_id",  # 'D1' + a zero-width space prints as D1 but is another key
         late_deliveries("D1\u200b,V1,2026-09-10,2026-09-09,10,,,", "D7\x07,V1,2026-09-12,,3,,,",
                         # review: a soft hyphen, a C1 control, a Hangul filler and a tag character passed
                         "D8\u00ad,V1,2026-09-12,,3,,,", "D9\u0085,V1,2026-09-12,,3,,,",
                         "D10\u3164,V1,2026-09-12,,3,,,", "D11\U000E0041,V1,2026-09-12,,3,,,",
                         "D12\u00e9\u6771,V1,2026-09-12,,3,,,", D_OK),  # letters of any script are fine
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "delivery_id", "invisible or control character (U+200B)"),
                      Q("deliveries", "deliveries/late.csv", 3, "delivery_id", "invisible or control character (U+0007)"),
                      Q("deliveries", "deliveries/late.csv", 4, "delivery_id", "invisible or control character (U+00AD)"),
                      Q("deliveries", "deliveries/late.csv", 5, "delivery_id", "invisible or control character (U+0085)"),
                      Q("deliveries", "deliveries/late.csv", 6, "delivery_id", "invisible or control character (U+3164)"),
                      Q("deliveries", "deliveries/late.csv", 7, "delivery_id", "invisible or control character (U+E0041)")),
         added={"deliveries": 8}),
    Case("feed_folder_capitalised", rename("deliveries", "Deliveries"),  # read as no deliveries at all, before
         blocking=("deliveries:", "a folder 'Deliveries' is there: rename it 'deliveries'")),
    Case("feed_folder_singular", rename("complaints", "complaint"), blocking=("complaints:", "a folder 'complaint' is there")),
    Case("parquet_columns_equal_but_for_case",
         parquet("deliveries/late.parquet", pl.DataFrame({
             "delivery_id": ["D9"], "vendor_id": ["V1"], "promised_date": ["2026-09-10"], "qty_ordered": ["10"],
             "Qty_Ordered": ["11"]})),
         blocking=("deliveries/late.parquet column 'qty_ordered'", "appears twice")),
    # Review: 'Café' composed (U+00E9) and decomposed (e + U+0301, as macOS writes it) were two
    # vendors printing alike. Text is read in Unicode NFC: one id, here two rows of it that disagree.
    Case("vendor_ids_equal_but_for_unicode_normalisation",
         vendors_file("Caf\u00e9,Cafe One,packaging,,", "Cafe\u0301,Cafe Two,packaging,,"),
         quarantined=tuple(Q("vendors", "vendors.csv", n, "vendor_id", "vendor_id 'Caf\u00e9' appears with different values in "
                             "vendors.csv:5, vendors.csv:6") for n in (5, 6)),
         added={"vendors": 2}),
    # Review: a quoted value holding line breaks printed lines of its own in `trustcard validate`,
    # one of them a forged "No blocking problems" summary.
    Case("value_with_line_breaks_is_quoted_on_one_line",
         late_deliveries('D9,V1,2026-09-10,,"1x\n\nNo blocking problems: all rows accepted.",,,'),
         quarantined=(Q("deliveries", "deliveries/late.csv", 2, "qty_ordered",
                        "not a number, got '1x\\n\\nNo blocking problems: all rows accepted.'"),),
         added={"deliveries": 1}),
    Case("decomposed_vendor_id_in_a_delivery",
         with_row(vendors_file("Caf\u00e9,Cafe One,packaging,,"), late_deliveries("D9,Cafe\u0301,2026-09-10,2026-09-09,10,,,")),
         added={"vendors": 1, "deliveries": 1}, check=lambda con: check_composed_vendor(con)),
]
CASES_BY_ID = {c.id: c for c in CASES}


def check_composed_vendor(con) -> None:
    rows = con.execute("SELECT vendor_id FROM deliveries WHERE delivery_id = 'D9'").fetchall()
    assert rows == [("Caf\u00e9",)]  # the vendor of the list, read in NFC


def hostile_landing(root: Path, case: Case) -> Path:
    build_baseline(root)
    case.fault(root)
    return root


# --- the dry run, with its in-memory database kept for inspection --------------------------------

@dataclass
class DryRun:
    report: DryRunReport
    text: str
    con: object  # the dry run's DuckDB connection (a named in-memory database)

    def tables(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}

    def sql(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()


@contextmanager
def dry_run(landing_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DryRun]:
    """validate_landing as it is, on a named in-memory database that outlives its connections,
    so the test can read what it judged (quarantine, ingest_log, the valid tables)."""
    name = f":memory:hostile_{uuid.uuid4().hex}"
    keep = open_database(name)
    monkeypatch.setattr(dry_run_module, "open_database", lambda _path: open_database(name))
    try:
        report = validate_landing(landing_dir, AS_OF)
        yield DryRun(report, format_report(report, landing_dir), keep)
    finally:
        keep.close()


def quarantine_rows(rows: list[tuple]) -> list[tuple]:
    """(feed, source_file, row_number, column_name, reason) sorted, from quarantine rows."""
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def assert_quarantine(actual: list[tuple], expected: tuple[Q, ...]) -> None:
    """Exactly the expected rows, each with the expected column and a reason containing the part."""
    got = quarantine_rows(actual)
    want = sorted(expected, key=lambda q: (q.feed, q.source_file, q.row_number))
    assert [r[:4] for r in got] == [tuple(q[:4]) for q in want], got
    for row, q in zip(got, want):
        assert q.reason in row[4], (row, q.reason)


def assert_balanced(log: list[tuple], case: Case, blocked: set[str]) -> None:
    """ingest_log (feed, month, read, valid, quarantined, duplicate): every month balances, and
    every data row written to the landing folder was read (none lost, none invented)."""
    for feed, month, read, valid, quarantined, duplicate in log:
        assert read == valid + quarantined + duplicate, (feed, month)
    for feed in FEEDS:
        feed_log = [r for r in log if r[0] == feed]
        if feed in blocked:
            assert not feed_log, f"{feed} was refused but half-written"
            continue
        assert sum(r[2] for r in feed_log) == BASELINE_ROWS[feed] + case.added.get(feed, 0), feed
        assert sum(r[4] for r in feed_log) == sum(q.feed == feed for q in case.quarantined), feed
        assert sum(r[5] for r in feed_log) == case.duplicates.get(feed, 0), feed


def blocked_feeds(case: Case) -> set[str]:
    if not case.blocking:
        return set()
    where = case.blocking[0]
    if where.startswith("vendors.csv"):
        return set(FEEDS)  # nothing can be judged without the vendor list
    return {where.split("/")[0].split(":")[0]}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_dry_run(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    landing = hostile_landing(tmp_path / "landing", case)
    with dry_run(landing, monkeypatch) as run:  # an unexpected exception fails the test here
        assert "Traceback" not in run.text
        blocked = blocked_feeds(case)
        if case.blocking:
            assert not run.report.ok
            assert len(run.report.blocking) == 1, run.report.blocking
            message = run.report.blocking[0]
            for part in case.blocking:
                assert part in message, (part, message)
            assert "BLOCKING" in run.text and message in run.text
            assert {s.feed for s in run.report.summaries} == set(FEEDS) - blocked
        else:
            assert run.report.ok, run.report.blocking
            assert "No blocking problems" in run.text
        if "quarantine" not in run.tables():  # the vendor list itself was refused: nothing was judged
            assert blocked == set(FEEDS) and not run.report.summaries
            return
        assert_quarantine(run.sql("SELECT feed, source_file, row_number, column_name, reason FROM quarantine"),
                          case.quarantined)
        log = run.sql("SELECT feed, month, rows_read, rows_valid, rows_quarantined, rows_duplicate FROM ingest_log")
        assert_balanced(log, case, blocked)
        for s in run.report.summaries:  # the printed summary agrees with the log
            assert (s.rows_read, s.rows_valid, s.rows_quarantined, s.rows_duplicate) == tuple(
                sum(r[i] for r in log if r[0] == s.feed) for i in (2, 3, 4, 5))
        assert_report_names_places(run.text, case.quarantined)
        assert_clean_rows_kept(run, case, blocked)
        if case.check:
            case.check(run.con)


def assert_report_names_places(text: str, expected: tuple[Q, ...]) -> None:
    """The summary names, for each kind of problem, the feed, column and first file:line."""
    firsts: dict[tuple, Q] = {}
    for q in sorted(expected, key=lambda q: (q.source_file, q.row_number)):
        firsts.setdefault((q.feed, q.column_name), q)
    lines = text.splitlines()
    for q in firsts.values():
        wanted = [f"{q.feed}: ", f"column {q.column_name or '(row)'}: ", q.reason,
                  f"(first at {q.source_file}:{q.row_number})"]
        assert any(all(w in line for w in wanted) for line in lines), (wanted, text)


def assert_clean_rows_kept(run: DryRun, case: Case, blocked: set[str]) -> None:
    """Every baseline row the fault does not name is still valid: no collateral damage."""
    named = {(q.source_file, q.row_number) for q in case.quarantined}
    for feed, (rel, rows) in BASELINE_FILES.items():
        if feed in blocked:
            continue
        valid = set(run.sql(f"SELECT _source_file, _row_number FROM {VALID_TABLE[feed]}"))
        expected = {(rel, n) for n in range(2, len(rows) + 2)} - named
        assert expected <= valid, (feed, expected - valid)


# --- the real Dagster job ------------------------------------------------------------------------

SCORECARD_SQL = "SELECT * FROM scorecard WHERE month = ? ORDER BY vendor_id"
QUARANTINE_SQL = "SELECT * FROM quarantine ORDER BY feed, source_file, row_number"
LOG_SQL = "SELECT * FROM ingest_log ORDER BY feed, month"
RUN_CASES = ["text_in_number_column", "duplicate_key_identical_across_files", "identical_bad_deliveries_both_quarantined",
             "latin1_byte_in_complaint_summary",
             # the suite's uniqueness flagged the sound original beside its ragged copy (review)
             "ragged_copy_of_a_delivery"]


@pytest.fixture(scope="module")
def baseline_scorecard(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    root = tmp_path_factory.mktemp("baseline")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home))
        result = run_months(build_baseline(root / "landing"), root / "db.duckdb", MONTH)
    assert result.success
    rows = query(root / "db.duckdb", SCORECARD_SQL, [MONTH])
    assert [r[0] for r in rows] == ["V1", "V2", "V3"]
    return rows


def top_reasons(result) -> dict[str, list[dict]]:
    """What each validated asset reported in its materialization: rows, column, reason, first file:line."""
    feeds = {table: feed for feed, table in VALID_TABLE.items()}
    return {feeds[e.asset_key.to_user_string()]: e.materialization.metadata["top_reasons"].value
            for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() in feeds}


def balance_checks(result, check: str = "rows_balance") -> dict[str, bool]:
    return {e.asset_key.to_user_string(): e.passed for e in result.get_asset_check_evaluations()
            if e.check_name == check}


def assert_run_judged(result, db_path: Path, case: Case) -> None:
    assert result.success
    assert balance_checks(result) == {t: True for t in VALID_TABLE.values()}
    # Great Expectations flags no row that validation kept: the suite and the SQL agree
    assert balance_checks(result, "contract_suite") == {t: True for t in VALID_TABLE.values()}
    rows = query(db_path, "SELECT feed, source_file, row_number, column_name, reason, first_rejected_run "
                          "FROM quarantine")
    assert_quarantine([r[:5] for r in rows], case.quarantined)
    assert all(r[5] == result.run_id for r in rows)
    reasons = top_reasons(result)
    firsts = {}  # the run's own account names the file, line and column of each reason's first row
    for q in sorted(case.quarantined, key=lambda q: (q.source_file, q.row_number)):
        firsts.setdefault((q.feed, q.column_name, q.reason), q)
    for q in firsts.values():
        assert any(r["column"] == (q.column_name or "(row)") and q.reason in r["reason"]
                   and r["first_at"] == f"{q.source_file}:{q.row_number}" for r in reasons[q.feed]), reasons
    assert_balanced(query(db_path, "SELECT feed, month, rows_read, rows_valid, rows_quarantined, rows_duplicate "
                                   "FROM ingest_log"), case, set())


@pytest.mark.parametrize("case_id", RUN_CASES)
def test_hostile_input_real_run_keeps_clean_scores(case_id, baseline_scorecard, tmp_path, dagster_home, db_path):
    case = CASES_BY_ID[case_id]
    landing = hostile_landing(tmp_path / "landing", case)
    result = run_months(landing, db_path, MONTH)
    assert_run_judged(result, db_path, case)
    assert query(db_path, SCORECARD_SQL, [MONTH]) == baseline_scorecard
    if case_id != RUN_CASES[0]:
        return
    # The same month again: the same judgement, remembered from the first run.
    before = query(db_path, QUARANTINE_SQL), query(db_path, LOG_SQL)
    again = run_months(landing, db_path, MONTH)
    assert again.success and balance_checks(again) == {t: True for t in VALID_TABLE.values()}
    assert (query(db_path, QUARANTINE_SQL), query(db_path, LOG_SQL)) == before
    assert {r[-1] for r in before[0]} == {result.run_id}  # first_rejected_run: still the first run
    assert query(db_path, SCORECARD_SQL, [MONTH]) == baseline_scorecard


def test_blocking_input_stops_the_real_run_naming_file_and_column(tmp_path, dagster_home, db_path):
    case = CASES_BY_ID["required_column_missing"]
    result = run_months(hostile_landing(tmp_path / "landing", case), db_path, MONTH, raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["staged_deliveries"]
    data = failures[0].event_specific_data
    assert data.user_failure_data is not None  # a deliberate Failure, not a crash
    assert "deliveries/late.csv:1 column 'qty_ordered': missing required column" in data.error.message
    meta = {k: v.value for k, v in data.user_failure_data.metadata.items()}
    assert meta == {"file": "deliveries/late.csv", "column": "qty_ordered", "line": 1}
    # Nothing downstream of the refused feed ran: no deliveries validated, no scorecard.
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "deliveries" not in materialized and "scorecard" not in materialized
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_an_emptied_vendor_list_stops_the_rerun_and_keeps_the_scores(baseline_scorecard, tmp_path, dagster_home, db_path):
    landing = build_baseline(tmp_path / "landing")
    assert run_months(landing, db_path, MONTH).success
    assert query(db_path, SCORECARD_SQL, [MONTH]) == baseline_scorecard
    # The vendor list is exported again with its header only: every row would be rejected and the
    # month's scores replaced by nothing. The run stops at the vendor list instead.
    put("vendors.csv", csv_text(VENDOR_HEADER))(landing)
    result = run_months(landing, db_path, MONTH, raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["vendors"]
    assert "vendors.csv: no valid vendor (it lists no vendor)" in failures[0].event_specific_data.error.message
    assert query(db_path, SCORECARD_SQL, [MONTH]) == baseline_scorecard
    assert query(db_path, "SELECT count(*) FROM vendors") == [(3,)]


def test_a_feed_folder_gone_stops_the_rerun_until_a_header_says_it_is_empty(baseline_scorecard, tmp_path,
                                                                             dagster_home, db_path):
    landing = build_baseline(tmp_path / "landing")
    assert run_months(landing, db_path, MONTH).success
    # Review: a deliveries folder lost to a failed mount or export scored every vendor without
    # deliveries, and the run succeeded. It stops at the feed instead, the scores kept.
    shutil.rmtree(landing / "deliveries")
    for gone in ("removed", "emptied"):
        result = run_months(landing, db_path, MONTH, raise_on_error=False)
        assert not result.success, gone
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert [e.step_key for e in failures] == ["staged_deliveries"]
        assert ("deliveries: no landing files, but the last run read 4 rows from 1 file(s) (deliveries/deliveries.csv)"
                in failures[0].event_specific_data.error.message)
        assert query(db_path, SCORECARD_SQL, [MONTH]) == baseline_scorecard
        (landing / "deliveries").mkdir(exist_ok=True)
    # Review: an export that first writes a broken file (its staging fails and forgets what it
    # read), then nothing, is refused all the same.
    put("deliveries/broken.csv", ";".join(DELIVERY_HEADER) + "\n")(landing)
    assert not run_months(landing, db_path, MONTH, raise_on_error=False).success
    (landing / "deliveries" / "broken.csv").unlink()
    again = run_months(landing, db_path, MONTH, raise_on_error=False)
    assert not again.success
    assert query(db_path, SCORECARD_SQL, [MONTH]) == baseline_scorecard
    # A feed that is really empty now says so with its header alone.
    put("deliveries/none.csv", csv_text(DELIVERY_HEADER))(landing)
    assert run_months(landing, db_path, MONTH).success
    assert query(db_path, "SELECT count(*) FROM deliveries") == [(0,)]
    assert query(db_path, "SELECT sum(deliveries_due) FROM scorecard WHERE month = ?", [MONTH]) == [(0,)]


# --- the CLI -----------------------------------------------------------------------------------------

CLI_CASES = {"blocking": "day_first_dates_whole_file", "quarantine": "text_in_number_column"}


@pytest.fixture(scope="module", autouse=True)
def cli_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, subprocess.Popen]]:
    """`trustcard validate DIR` as a user runs it, once per kind of answer. Started with the module
    so that the processes (mostly Python starting up) overlap with the in-process tests."""
    env = {**os.environ, "TRUSTCARD_AS_OF": AS_OF.isoformat()}
    procs = {}
    for kind, case_id in CLI_CASES.items():
        landing = hostile_landing(tmp_path_factory.mktemp(f"cli_{kind}") / "landing", CASES_BY_ID[case_id])
        procs[kind] = subprocess.Popen([str(REPO / ".venv" / "bin" / "trustcard"), "validate", str(landing)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def cli_outcome(proc: subprocess.Popen) -> tuple[int, str, str]:
    stdout, stderr = proc.communicate(timeout=120)
    return proc.returncode, stdout, stderr


def test_cli_validate_blocking_exits_2(cli_processes):
    code, stdout, stderr = cli_outcome(cli_processes["blocking"])
    assert code == 2, stderr
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert "BLOCKING" in stdout
    assert "deliveries/late.csv:2 column 'promised_date': none of its 3 values parses" in stdout


def test_cli_validate_quarantine_exits_0(cli_processes):
    code, stdout, stderr = cli_outcome(cli_processes["quarantine"])
    assert code == 0, stderr
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert "deliveries: 1 row(s), column qty_ordered: not a number, got 'ten' (first at deliveries/late.csv:2)" \
        in stdout
    assert "No blocking problems" in stdout


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-09-09", date(2026, 9, 9)), (" 2026-09-09 ", date(2026, 9, 9)),  # spaces around: trimmed
    ("2026-9-9\t\t", None), ("2026-09-1\t", None), ("\t2026-09-09", None),  # tabs made it 10 long
    ("2026-09-09\n", None), ("2026-9-09", None), ("0000-01-01", None), ("2025-02-29", None),
    ("\u0662\u0660\u0662\u0666-09-09", None),  # Arabic-Indic digits are no ISO date
])
def test_a_date_is_exactly_yyyy_mm_dd(text: str, expected: date | None):
    # Review: '2026-9-9' padded with two tabs was read as 2026-09-09 while '2026-9-9' was refused.
    import duckdb

    from pipelines.lib.db import prepare

    con = duckdb.connect()
    prepare(con)
    assert con.execute("SELECT iso_date(?)", [text]).fetchall()[0][0] == expected
