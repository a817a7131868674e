"""Helpers shared by the real-data adapters: reading sources, writing landing files, vendors.

Every adapter follows the same shape: read the source as strings (no type inference),
map each row or report it as unmappable with a reason, write its own landing file(s),
and merge its vendors into ``vendors.csv``. The pieces of that shape live here so the
adapters only hold the mapping decisions.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

#: Columns of ``vendors.csv`` in the landing contract, in the order we write them.
VENDOR_COLUMNS: tuple[str, ...] = ("vendor_id", "vendor_name", "category", "is_self", "report_recipients")

#: trustcard quarantines any text value longer than this (sql/macros.sql ``too_long``).
TEXT_LIMIT = 10_000
TRUNCATION_MARK = " […]"

#: Row numbers are spreadsheet row numbers: the header is row 1, the first data record
#: row 2. They count CSV records, not physical lines (a quoted field may span lines).
FIRST_DATA_ROW = 2


@dataclass
class ImportReport:
    """What one adapter did with one source file; ``rows_in == rows_landed + len(unmappable)``."""

    source: str
    source_file: Path
    rows_in: int = 0
    rows_landed: int = 0
    unmappable: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.rows_in == self.rows_landed + len(self.unmappable)

    def reason_counts(self) -> list[tuple[str, int]]:
        """Unmappable reasons grouped with quoted values blanked, most frequent first."""
        counts = Counter(re.sub(r"'[^']*'", "'…'", reason) for _, reason in self.unmappable)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def summary(self) -> str:
        lines = [
            f"{self.source} {self.source_file.name}: {self.rows_in} rows in, "
            f"{self.rows_landed} landed, {len(self.unmappable)} unmappable"
        ]
        lines += [f"  unmappable x{n}: {reason}" for reason, n in self.reason_counts()]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


class Unmappable(Exception):
    """A source row that cannot become a landing row; the message is the reason we report."""


SourceRow = tuple[int, dict[str, str]]


@dataclass
class SourceTable:
    header: list[str]
    rows: list[SourceRow]
    malformed: list[tuple[int, str]]  # records whose field count does not match the header


def read_source(path: Path, required: Iterable[str] = ()) -> SourceTable:
    """Read a CSV export as strings only; strips a UTF-8 BOM and accepts CRLF line endings.

    Blank lines are not records and are skipped. A record with the wrong number of fields
    is returned in ``malformed`` so the caller reports it instead of guessing its columns.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in required if name not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; header is {header}")
        rows: list[SourceRow] = []
        malformed: list[tuple[int, str]] = []
        for number, values in enumerate((v for v in reader if v), start=FIRST_DATA_ROW):
            if len(values) != len(header):
                malformed.append((number, f"has {len(values)} fields, the header has {len(header)}"))
            else:
                rows.append((number, dict(zip(header, values))))
    return SourceTable(header, rows, malformed)


def map_rows(
    table: SourceTable, mapper: Callable[[int, dict[str, str]], dict[str, str]], report: ImportReport
) -> list[dict[str, str]]:
    """Apply ``mapper`` to every row, recording each failure as unmappable; counts reconcile."""
    report.rows_in += len(table.rows) + len(table.malformed)
    report.unmappable.extend(table.malformed)
    out: list[dict[str, str]] = []
    for number, record in table.rows:
        try:
            out.append(mapper(number, record))
        except Unmappable as err:
            report.unmappable.append((number, str(err)))
    report.rows_landed += len(out)
    report.unmappable.sort()
    return out


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """Write UTF-8, header row, ``\\n`` line endings, minimal quoting: byte-identical on rerun."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
        writer.writeheader()
        writer.writerows(rows)


# --- values -----------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Trim and turn CR/CRLF inside free text into ``\\n`` so the landing file has one line ending."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def fit_text(value: str, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """Cut free text to ``limit`` characters, marking the cut; returns (text, was_cut).

    A long free-text field should not cost the whole record its place in the metrics.
    """
    if len(value) <= limit:
        return value, False
    return value[: limit - len(TRUNCATION_MARK)].rstrip() + TRUNCATION_MARK, True


def parse_date(value: str, formats: Sequence[str], column: str) -> date:
    """Parse with the first matching ``strptime`` format, or raise Unmappable naming column and value."""
    text = value.strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Unmappable(f"{column} {value!r} is not a date")


def parse_number(value: str, column: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise Unmappable(f"{column} {value!r} is not a number") from None
    if not number.is_finite():
        raise Unmappable(f"{column} {value!r} is not a number")
    return number


def utc_midnight(day: date) -> str:
    """A calendar date as the ISO 8601 UTC timestamp of its start, e.g. ``2019-03-29T00:00:00Z``."""
    return f"{day.isoformat()}T00:00:00Z"


def bool_text(value: bool | None) -> str:
    """Contract booleans: ``true``/``false``; unknown stays empty (the field is optional)."""
    return "" if value is None else ("true" if value else "false")


# --- vendors ----------------------------------------------------------------------------


def slug(name: str) -> str:
    """Readable, stable key part: ASCII-folded, lower case, runs of anything else as ``-``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not text:
        raise Unmappable(f"vendor name {name!r} has no letters or digits to key it by")
    return text


def most_common(counts: Counter[str]) -> str:
    """The most frequent value; ties go to the alphabetically first so reruns agree."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


class VendorBook:
    """Collects the vendors an adapter saw: one id per slug, the most used spelling and category."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._names: dict[str, Counter[str]] = {}
        self._categories: dict[str, Counter[str]] = {}

    def vendor_id(self, name: str) -> str:
        return f"{self.prefix}:{slug(name)}"

    def add(self, name: str, category: str) -> str:
        """Record one row's vendor and category; returns the vendor_id."""
        vendor_id = self.vendor_id(name)
        self._names.setdefault(vendor_id, Counter())[name.strip()] += 1
        if category:
            self._categories.setdefault(vendor_id, Counter())[category] += 1
        return vendor_id

    def spelling_merges(self) -> int:
        """How many vendor ids stand for more than one spelling (case or punctuation variants)."""
        return sum(1 for names in self._names.values() if len(names) > 1)

    def rows(self) -> list[dict[str, str]]:
        return [
            {
                "vendor_id": vendor_id,
                "vendor_name": most_common(names),
                "category": most_common(self._categories[vendor_id]) if vendor_id in self._categories else "",
                "is_self": "false",
                "report_recipients": "",
            }
            for vendor_id, names in sorted(self._names.items())
        ]


def merge_vendors(landing_dir: Path, new_rows: Sequence[Mapping[str, str]]) -> int:
    """Add vendors not yet in ``landing_dir/vendors.csv``; existing rows are kept untouched.

    The file stays sorted by vendor_id, so the result does not depend on which adapter ran
    first. Columns of an existing file are kept (contract columns missing from it are added).
    Returns how many vendors were added.
    """
    path = landing_dir / "vendors.csv"
    columns = list(VENDOR_COLUMNS)
    existing: dict[str, dict[str, str]] = {}
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or []) + [c for c in VENDOR_COLUMNS if c not in (reader.fieldnames or [])]
            existing = {row["vendor_id"]: row for row in reader}
    added = [dict(row) for row in new_rows if row["vendor_id"] not in existing]
    merged = {**existing, **{row["vendor_id"]: row for row in added}}
    ordered = [{c: (merged[k].get(c) or "") for c in columns} for k in sorted(merged)]
    write_csv(path, columns, ordered)
    return len(added)


def locate(source_path: Path, default_name: str) -> Path:
    """Adapters take either the source file itself or the folder holding it under its usual name."""
    return source_path / default_name if source_path.is_dir() else source_path
