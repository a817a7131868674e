"""The records behind a vendor's month as CSV files, embedded in its PDF.

The PDF's tables list the worst records (a page of them); a vendor disputing its score needs
every one, with the file and line it came from, in a form it can sort and filter. The CSVs go
into the PDF itself (PDF/A-3 allows embedded files), so the mailed PDF carries its evidence.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

# Cells a spreadsheet would run as a formula (CSV injection): prefixed with a quote, kept as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DELIVERY_COLUMNS = ["delivery_id", "promised_date", "delivered_date", "days_late", "qty_ordered",
                    "qty_delivered", "qty_rejected", "problem", "source"]
COMPLAINT_COLUMNS = ["complaint_id", "opened_at", "acknowledged_at", "resolved_at", "due_at", "severity",
                     "category", "disclosed_by", "apologized", "explained", "restitution", "is_repeat",
                     "resolved_on_time", "hours_to_acknowledge", "recovery_points", "weight", "summary", "source"]


def evidence_files(vendor_id: str, month: date, late_deliveries: list[dict],
                   complaints: list[dict]) -> tuple[tuple[str, str], ...]:
    """(file name, CSV text) for each kind of record the month has: the late, short or rejected
    deliveries, and every complaint opened (all of them count in the recovery score)."""
    stem = f"{_name_safe(vendor_id)}-{month:%Y-%m}"
    files = []
    if late_deliveries:
        files.append((f"{stem}-late-short-rejected-deliveries.csv", to_csv(late_deliveries, DELIVERY_COLUMNS)))
    if complaints:
        files.append((f"{stem}-complaints.csv", to_csv(complaints, COMPLAINT_COLUMNS)))
    return tuple(files)


def to_csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)  # a number, negative or not, is not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _name_safe(text: str) -> str:
    """An attachment name from a vendor id (data): letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "vendor"
