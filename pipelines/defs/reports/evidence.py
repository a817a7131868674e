"""The records behind a vendor's month as CSV files, embedded in its PDF.

The PDF's tables list the worst records (a page of them); a vendor disputing its score needs
every one, with the file and line it came from, in a form it can sort and filter. The CSVs go
into the PDF itself (PDF/A-3 allows embedded files), so the mailed PDF carries its evidence.
"""
from __future__ import annotations

import csv
import io
import numbers
from datetime import date, datetime

# Cells a spreadsheet would run as a formula (CSV injection): prefixed with a quote, kept as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DELIVERY_COLUMNS = ["delivery_id", "promised_date", "delivered_date", "days_late", "qty_ordered",
                    "qty_delivered", "qty_rejected", "problem", "source"]
COMPLAINT_COLUMNS = ["complaint_id", "opened_at", "acknowledged_at", "resolved_at", "due_at", "severity",
                     "category", "disclosed_by", "apologized", "explained", "restitution", "is_repeat",
                     "resolved_on_time", "hours_to_acknowledge", "recovery_points", "weight", "summary", "source"]

EXECUTIVE_COLUMNS = ["category", "vendor_id", "vendor_name", "grade", "trust_score", "trust_change", "delivery_score",
                     "promise_score", "recovery_score", "deliveries_due", "on_time_rate", "complaints_opened",
                     "announcements_due_12m", "watch", "vaporware", "small_sample", "rows_left_out"]

SCORES = ("trust_score", "trust_change", "delivery_score", "promise_score", "recovery_score")


def executive_files(month: date, categories: list[dict]) -> tuple[tuple[str, str], ...]:
    """The executive PDF's table as one CSV of every scored vendor (the PDF may print only the
    best and worst of each category)."""
    # Scores as the PDF prints them (one decimal), rates to a tenth of a percent.
    rows = [{**r, **{k: round(r[k], 1) for k in SCORES if r[k] is not None},
             "on_time_rate": None if r["on_time_rate"] is None else round(r["on_time_rate"], 3)}
            for c in categories for r in c["vendors"]]
    return ((f"vendors-{month:%Y-%m}.csv", to_csv(rows, EXECUTIVE_COLUMNS)),) if rows else ()


def evidence_files(file_stem: str, month: date, late_deliveries: list[dict],
                   complaints: list[dict]) -> tuple[tuple[str, str], ...]:
    """(file name, CSV text) for each kind of record the month has: the late, short or rejected
    deliveries, and every complaint opened (all of them count in the recovery score), sorted by
    name (a PDF's embedded-file names form a sorted tree). `file_stem` is the vendor's PDF file
    stem, already safe as a name."""
    stem = f"{file_stem}-{month:%Y-%m}"
    files = []
    if late_deliveries:
        files.append((f"{stem}-late-short-rejected-deliveries.csv", to_csv(late_deliveries, DELIVERY_COLUMNS)))
    if complaints:
        files.append((f"{stem}-complaints.csv", to_csv(complaints, COMPLAINT_COLUMNS)))
    return tuple(sorted(files))


def to_csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    # RFC 4180 line ends: the writer then quotes any value holding a CR or LF, so a carriage
    # return inside a complaint's text cannot start a new record (and a formula with it).
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat() + "Z"  # timestamps are stored in UTC, without a zone
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, numbers.Number):
        return str(value)  # a number (int, float, Decimal), negative or not, is not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
