"""Read a feed's landing files, one at a time, into all-text Polars frames that keep where each row came from.

Every value is read as text against the contract's explicit column list; typing happens in
the staging SQL, so a bad value becomes a quarantined row rather than a failed read.
Problems that make a whole file unreadable raise LandingError naming the file (and the
column or line); problems of one row are recorded in `_row_error` ({col, why}: the column
at fault, or none when it is the whole row) and quarantined later.
"""
from __future__ import annotations

import csv
import difflib
import errno
import io
import json
import re
import unicodedata
from datetime import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .feeds import Feed

SUPPORTED_SUFFIXES = (".csv", ".parquet")
META_COLUMNS = ["_source_file", "_row_number", "_row_error", "_extra", "_overflow"]
# Names a landing file's columns may not take: they would collide with the reader's own.
RESERVED_NAMES = {*META_COLUMNS, "_raw"}
csv.field_size_limit(2**31 - 1)  # oversized fields are judged by validation, not by the reader
ROW_ERROR = pl.Struct({"col": pl.String, "why": pl.String})


class LandingError(Exception):
    """A landing file that cannot be read at all: blocks the run, names the file."""

    def __init__(self, file: str, message: str, column: str | None = None, line: int | None = None):
        self.file, self.message, self.column, self.line = file, message, column, line
        where = file + (f":{line}" if line else "") + (f" column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


def landing_files(landing_dir: Path, feed: Feed) -> list[Path]:
    """The feed's files to read, in name order; a LandingError for a folder or name that cannot be."""
    try:
        return _landing_files(landing_dir, feed)
    except PermissionError as exc:  # a folder that cannot be listed or entered (review: a bare errno)
        where = Path(exc.filename) if exc.filename else landing_dir / feed.path
        name = _rel(landing_dir, where) if where.is_relative_to(landing_dir) and where != landing_dir else str(where)
        raise LandingError(one_line(_printable(name)), f"cannot be read: {exc.strerror}; check the folder's permissions "
                                                       "(trustcard needs to list and read it)") from exc


def _printable(name: str) -> str:
    """A name as text: bytes of the file system that are not UTF-8 (Python keeps them as lone
    surrogates) written as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _landing_files(landing_dir: Path, feed: Feed) -> list[Path]:
    if not landing_dir.is_dir():
        raise LandingError(str(landing_dir), "is a file, not a landing folder" if landing_dir.exists()
                           else "landing folder does not exist")
    target = landing_dir / feed.path
    if not feed.is_folder:
        if target.is_dir():
            raise LandingError(feed.path, "is a directory; expected a CSV file")
        if not target.exists():
            hidden = " (a hidden .vendors.csv is there: files whose name starts with '.' are not read)" \
                if (landing_dir / f".{feed.path}").exists() else _misnamed_vendor_list(landing_dir)
            raise LandingError(feed.path, "missing: every landing folder needs vendors.csv" + hidden)
        return [_inside(landing_dir, target)]
    if not target.exists():
        _refuse_a_misnamed_folder(landing_dir, feed)
        return []
    _inside(landing_dir, target)
    if not target.is_dir():
        raise LandingError(feed.path, "is a file; expected a folder of .csv/.parquet files")
    files = []
    for path in sorted(p for p in target.iterdir() if not p.name.startswith(".")):
        rel = _rel(landing_dir, path)
        if _printable(path.name) != path.name:
            # Not UTF-8: no message, report or SQL value can hold it as it is (review: DuckDB failed
            # on it, 'cannot encode str as UTF-8', retried three times, naming no file).
            raise LandingError(one_line(_printable(rel)), "the file name is not valid UTF-8 (the bytes written \\xNN "
                                                           "here); rename the file")
        if "\n" in path.name or "\r" in path.name:
            # Every message names a row by file:line on one line: a line end in the name would start
            # a line of its own there, which could pass for one trustcard wrote (review).
            raise LandingError(one_line(rel), "a file name holding a line end cannot be named on one line "
                                              "of a message or report; rename the file")
        if path.is_dir():
            raise LandingError(rel, "is a directory; expected a .csv or .parquet file")
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise LandingError(rel, f"unsupported file type '{path.suffix}'; expected .csv or .parquet")
        files.append(_inside(landing_dir, path))
    return files


def hidden_data_files(landing_dir: Path, feed: Feed) -> list[str]:
    """Files of a feed's folder named like data but hidden ('.late.csv'): never read (a name
    starting with '.' is how tools write a file not yet complete), and said so, not dropped silently."""
    target = landing_dir / feed.path
    try:
        names = sorted(target.iterdir()) if feed.is_folder and target.is_dir() else []
    except OSError:  # an unreadable folder is refused, with its reason, where its files are listed
        return []
    found = []
    for p in names:
        if not p.name.startswith("."):
            continue
        if p.is_dir() and not p.is_symlink():  # a tool's staging folder ('.tmp/late.csv'): said too (review)
            found += [one_line(_printable(_rel(landing_dir, f))) for f in sorted(p.rglob("*"))
                      if f.name.lower().endswith(SUPPORTED_SUFFIXES) and f.is_file()]
        elif p.name.lower().endswith(SUPPORTED_SUFFIXES):
            found.append(one_line(_printable(_rel(landing_dir, p))))
    return found


HIDDEN_FILE_SKIPPED = ("skipped: hidden (its name, or its folder's, starts with '.'), so not read; "
                       "rename it to read its rows")
# Named like exported data, at the landing folder's root, where only vendors.csv is read.
DATA_LIKE_SUFFIXES = (*SUPPORTED_SUFFIXES, ".tsv", ".txt", ".xlsx", ".xls")


def stray_root_entries(landing_dir: Path, feed_folders: set[str]) -> list[str]:
    """Data files and folders at the root that no feed reads ('deliveries_2026Q4.csv' next to
    vendors.csv, a folder 'complaints_extra'): their rows would be left out of every count without
    a word (review: a quarter of deliveries moved to the root scored a month as having none)."""
    try:
        entries = sorted(landing_dir.iterdir()) if landing_dir.is_dir() else []
    except OSError:  # an unreadable folder is refused where its files are listed
        return []
    stray = []
    for path in entries:
        if path.name.startswith(".") or path.name in feed_folders:
            continue
        if path.is_dir() or (path.suffix.lower() in DATA_LIKE_SUFFIXES and path.name != "vendors.csv"):
            stray.append(one_line(_printable(_rel(landing_dir, path))) + ("/" if path.is_dir() else ""))
    return stray


STRAY_ENTRY_SKIPPED = ("skipped: not read, the landing folder's root holds vendors.csv and the feed folders "
                       "deliveries/, complaints/, announcements/ only; move its files into their feed's folder "
                       "to read their rows")


def _misnamed_vendor_list(landing_dir: Path) -> str:
    """' (a file 'Vendors.CSV' is there: rename it ...)' when a root file is named almost so."""
    found = _named_almost(landing_dir, "vendors.csv", folders=False)
    return f" (a file '{one_line(found)}' is there: rename it 'vendors.csv')" if found else ""


def _named_almost(landing_dir: Path, name: str, folders: bool) -> str | None:
    """A visible file (or folder) at the root named `name` in other letter case, or close to it."""
    names = [p.name for p in landing_dir.iterdir() if p.is_dir() == folders and not p.name.startswith(".")]
    near = [n for n in names if n.lower() == name.lower()] or \
        difflib.get_close_matches(name.lower(), [n.lower() for n in names], n=1, cutoff=0.8)
    return next(n for n in names if n.lower() == near[0].lower()) if near else None


def _refuse_a_misnamed_folder(landing_dir: Path, feed: Feed) -> None:
    """A feed may have no folder (no data of that kind), but a folder named almost like it
    ('Deliveries', 'delivery') is a misnamed feed: read as none, every vendor would be scored
    without it and nothing would say why."""
    found = _named_almost(landing_dir, feed.path, folders=True)
    if found:
        raise LandingError(feed.path, f"missing, but a folder '{found}' is there: rename it '{feed.path}' (feed "
                                      "folders are named in lower case, as in the data contract); read as it is, "
                                      "the feed would be empty")


def file_signatures(landing_dir: Path, feed: Feed) -> dict[str, list[int]]:
    """Size, modification and change times and inode of each file: a cheap test of whether the
    feed changed. The change time and inode catch a same-size replacement that keeps the old
    modification time (`cp -p`, `rsync -a`, `touch -r`), as staging's spool cache does."""
    out = {}
    for path in landing_files(landing_dir, feed):
        stat = path.stat()
        out[path.relative_to(landing_dir).as_posix()] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    return out


def _inside(landing_dir: Path, path: Path) -> Path:
    """`path`, refused when it is a link leading out of the landing folder: a landing folder holds
    its data, and a link to /etc/passwd must not be read (nor echoed in an error message); a link
    to nothing, or a loop of links, is named as such rather than failing later as an OS error."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a loop: RuntimeError before Python 3.13, OSError(ELOOP) since
        loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
        what = "a loop of symbolic links" if loop else "a symbolic link to a file that does not exist"
        raise LandingError(_rel(landing_dir, path), f"is {what}; copy the data in instead") from exc
    if not resolved.is_relative_to(landing_dir.resolve()):
        raise LandingError(_rel(landing_dir, path), "is a symbolic link leading outside the landing folder; "
                                                    "copy the data in instead")
    if path.exists() and not path.is_file() and not path.is_dir():
        # A named pipe or a device would block the read forever (or never end).
        raise LandingError(_rel(landing_dir, path), "is not a regular file (a named pipe, socket or device); "
                                                    "expected a .csv or .parquet file")
    return path


def read_file(landing_dir: Path, path: Path, feed: Feed) -> tuple[pl.DataFrame, int]:
    """One landing file as all-text rows with provenance, and the number of blank lines skipped.
    A row's raw record is made from these columns when needed (`raw_record_sql`)."""
    rel = _rel(landing_dir, path)
    try:
        if path.suffix.lower() == ".parquet":
            return _read_parquet(path, rel, feed), 0
        return _read_csv(path, rel, feed)
    except PermissionError as exc:
        # Refused, not retried: a file the run may not read fails the same way on every retry
        # (review: a chmod 000 file failed after 72 s of retries, `validate` with a bare errno).
        raise LandingError(one_line(rel), f"cannot be read: {exc.strerror or exc}; check the file's permissions") from exc


def one_line(name: str) -> str:
    """A file name as it can be printed on one line: line ends written as '\\n' and '\\r'."""
    return name.replace("\n", "\\n").replace("\r", "\\r")


def _rel(landing_dir: Path, path: Path) -> str:
    return path.relative_to(landing_dir).as_posix()


def empty_frame(feed: Feed) -> pl.DataFrame:
    """The shape of read_file's rows, with none."""
    schema = {c: pl.String for c in feed.column_names}
    schema |= {"_source_file": pl.String, "_row_number": pl.Int64, "_row_error": ROW_ERROR,
               "_extra": pl.String, "_overflow": pl.String}
    return pl.DataFrame(schema=schema)


def raw_record_sql(feed: Feed) -> str:
    """SQL making a row's raw record (the row as read: every contract column, the extra columns and
    `_overflow`, the fields beyond the header, as one JSON object of text values) from read_file's
    columns, for the few rows that need one (quarantine): making it for every row was half of
    reading a file. Column names are the contract's, never data; `json_with` is in sql/macros.sql."""
    values = ", ".join(f"'{c}': \"{c}\"" for c in feed.column_names)
    return f"json_with(json_with(to_json({{{values}}})::VARCHAR, _extra), to_json({{'_overflow': _overflow}})::VARCHAR)"


def _check_header(header: list[str], rel: str, feed: Feed) -> None:
    if header and header[0].startswith("sep=") and len("".join(header)) <= 6:  # 'sep=,' splits as ['sep=', '']
        raise LandingError(rel, "line 1 is Excel's delimiter hint ('sep=…'), not the header: remove that line "
                                "(the contract's CSV starts with its header)", line=1)
    for delimiter, name in ((";", "';'"), ("\t", "tab")):
        if len(header) == 1 and delimiter in header[0]:
            raise LandingError(rel, f"header looks {name}-delimited; the contract requires comma-separated CSV", line=1)
    if any(not h for h in header):
        raise LandingError(rel, "header has an empty column name", line=1)
    reserved = [h for h in header if h in RESERVED_NAMES]
    if reserved:
        raise LandingError(rel, "column name is reserved for trustcard's own bookkeeping; rename it", column=reserved[0], line=1)
    seen = set()
    for h in header:
        if h in seen:
            raise LandingError(rel, "column appears twice in the header", column=h, line=1)
        seen.add(h)
    for h in header:
        _refuse_a_misspelt_contract_column(h, seen, rel, feed)
    missing = [c for c in feed.required if c not in seen]
    if missing:
        raise LandingError(
            rel, f"missing required column (header has: {', '.join(map(visible, header))})", column=missing[0], line=1
        )


def _refuse_a_misspelt_contract_column(name: str, seen: set[str], rel: str, feed: Feed) -> None:
    """A header name that is a contract column written another way ('delivered date', 'Qty-Ordered',
    an invisible character inside) and not the column itself: kept as an unknown extra, every value
    of the contract's column would read as empty, and an optional one raises no other error
    (review: 'delivered\u200b_date' scored every delivery as never delivered, with nothing said)."""
    if name in feed.column_names:
        return
    meant = _loose(name)
    if meant not in feed.column_names or meant in seen:  # beside the column itself it is one more extra
        return
    if _invisible_removed(name) != name:  # 'qty_\u200bordered' prints as 'qty_ordered': name the character
        raise LandingError(rel, f"header names '{visible(name)}': an invisible character hides in the "
                                f"column's name; remove it", column=meant, line=1)
    raise LandingError(rel, f"header names '{name}', which is not the contract's '{meant}': rename it (as written, "
                            f"the column would be ignored and every {meant} read as empty)", column=meant, line=1)


def _loose(name: str) -> str:
    """A header name without invisible characters, with spaces, hyphens and dots as underscores."""
    return re.sub(r"[\s.\-_]+", "_", _invisible_removed(name).strip()).strip("_")


def _invisible(ch: str) -> bool:
    """A character that prints as nothing (format, control, separator): U+200B, U+FEFF, U+00AD..."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def _invisible_removed(name: str) -> str:
    return "".join(ch for ch in name if not _invisible(ch))


def visible(name: str) -> str:
    """A name as it may be printed: each invisible character written as <U+XXXX>."""
    return "".join(f"<U+{ord(ch):04X}>" if _invisible(ch) else ch for ch in name)


def _decode(data: bytes, rel: str) -> tuple[str, dict[int, str]]:
    """Decode UTF-8 (BOM allowed); lines that are not UTF-8, or hold a stray NUL byte, are kept,
    replaced, and reported."""
    bad = _nul_lines(data, rel) if b"\x00" in data else {}
    if bad:
        data = data.replace(b"\x00", "\ufffd".encode())
    try:
        return data.decode("utf-8-sig"), bad
    except UnicodeDecodeError:
        pass
    # Lines as the csv module counts them (\n, \r\n, and a lone \r: a Mac line end, or one inside a
    # quoted field), so a bad byte is blamed on the record that holds it.
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            bad[number] = f"not valid UTF-8 (byte 0x{line[exc.start]:02X} at position {exc.start + 1} of line {number})"
    return data.decode("utf-8-sig", errors="replace"), bad


def _nul_lines(data: bytes, rel: str) -> dict[int, str]:
    """The lines holding a NUL byte, when they are a few stray ones in a text file (its rows are
    then quarantined: one such byte in a summary stopped the whole run; review). A file in UTF-16,
    or binary, has them on most lines, or from its first: refused, naming the first."""
    lines = data.splitlines()
    held = [n for n, line in enumerate(lines, start=1) if b"\x00" in line]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or held[0] == 1 or 2 * len(held) > len(lines):
        raise LandingError(rel, f"holds NUL bytes on {len(held):,} of its {len(lines):,} lines: not a UTF-8 text file "
                                "(UTF-16, or binary?)", line=held[0])
    at = {n: lines[n - 1].index(b"\x00") + 1 for n in held}
    return {n: f"holds a NUL byte (position {at[n]} of line {n}): not text" for n in held}


def _read_csv(path: Path, rel: str, feed: Feed) -> tuple[pl.DataFrame, int]:
    text, bad_lines = _decode(path.read_bytes(), rel)
    if not text.strip():
        raise LandingError(rel, "file is empty: no header row")
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    if 1 in bad_lines or any(ord(c) < 32 and c not in "\t\r" for c in header_line):
        raise LandingError(rel, "the header line is not text (invalid UTF-8 or control characters): "
                                "a binary file named .csv?", line=1)
    if '"' not in text and "\r" not in text:
        return _read_plain_csv(text, bad_lines, rel, feed)
    return _read_quoted_csv(text, bad_lines, rel, feed)


def _read_plain_csv(text: str, bad_lines: dict[int, str], rel: str, feed: Feed) -> tuple[pl.DataFrame, int]:
    """The fast path, for files without quotes or carriage returns (most machine exports): each
    line is then exactly one record, so splitting on commas is exact and runs vectorised in
    Polars. Gives the same rows, line numbers and row errors as the csv-module path."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    header = [h.strip().lower() for h in lines[0].split(",")]
    _check_header(header, rel, feed)
    body = pl.DataFrame({"line": lines[1:]}, schema={"line": pl.String}).with_row_index("i")
    blank = body["line"].str.replace_all(",", "", literal=True).str.strip_chars() == ""
    body = body.filter(~blank).with_columns(pl.col("line").str.split(",").alias("fields"))
    n = len(header)
    frame = body.select(
        *[pl.col("fields").list.get(i, null_on_oob=True).fill_null("").alias(h) for i, h in enumerate(header)],
        pl.when(pl.col("fields").list.len() > n)
        .then(pl.col("fields").list.slice(n).list.join(","))
        .alias("_overflow"),
    )
    numbers = (body["i"] + 2).to_list()  # header is line 1
    errors: list[dict | None] = [None] * len(numbers)
    repeated = body["line"].str.strip_chars_start("\ufeff").str.to_lowercase().str.replace_all(r"\s*,\s*", ",") \
        .str.strip_chars() == ",".join(header)
    widths = body["fields"].list.len()
    flagged = (repeated | (widths != n)).arg_true().to_list()
    by_line = {line: idx for idx, line in enumerate(numbers)} if bad_lines else {}
    flagged += [by_line[line] for line in bad_lines if line in by_line]
    for idx in sorted(set(flagged)):
        fields = body["fields"][idx].to_list()
        errors[idx] = _row_error(fields, header, [bad_lines[numbers[idx]]] if numbers[idx] in bad_lines else [])
    return _finish(frame, feed, rel, numbers, errors), int(blank.sum())


# Unicode's White_Space, what Polars' strip_chars() strips on the fast path: Python's str.strip()
# also strips the separators U+001C-U+001F, so a line of one was blank on this path and a row on
# the other (hostile review: a differential fuzz of the two readers).
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def _read_quoted_csv(text: str, bad_lines: dict[int, str], rel: str, feed: Feed) -> tuple[pl.DataFrame, int]:
    """The exact path: Python's csv module, for quoted fields (commas and newlines inside values)."""
    # strict: a quote left open must not silently swallow the rest of the file into one field.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise LandingError(rel, f"unreadable header: {exc}", line=1) from exc
    _check_header(header, rel, feed)
    records, numbers, errors, blanks = [], [], [], 0
    last_line = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise LandingError(rel, f"malformed CSV: {_csv_problem(exc)}", line=last_line + 1) from exc
        start, last_line = last_line + 1, reader.line_num
        if not any(f.strip(WHITE_SPACE) for f in fields):
            blanks += 1
            continue
        error = _row_error(fields, header, [bad_lines[n] for n in range(start, last_line + 1) if n in bad_lines])
        records.append(fields + [""] * (len(header) - len(fields)))
        numbers.append(start)
        errors.append(error)
    columns = {h: [r[i] if i < len(r) else "" for r in records] for i, h in enumerate(header)}
    # Extra fields of a ragged row are kept in the raw record, not lost.
    overflow = [r[len(header):] for r in records]
    frame = pl.DataFrame(columns, schema={h: pl.String for h in header})
    frame = frame.with_columns(
        pl.Series("_overflow", [",".join(o) if o else None for o in overflow], dtype=pl.String)
    )
    return _finish(frame, feed, rel, numbers, errors), blanks


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in the words of someone fixing the export."""
    if "unexpected end of data" in str(exc):
        return 'a quoted field opened on this line is never closed (unbalanced ")'
    if "expected after" in str(exc):
        return 'text after the closing quote of a field (a " inside a quoted field must be doubled: "")'
    return str(exc)


def _row_error(fields: list[str], header: list[str], bad_bytes: list[str]) -> dict | None:
    """The problem of one CSV record as {col, why}, or None: bad bytes (in the column that holds
    them), a wrong number of fields, or a header repeated mid-file (files pasted together)."""
    if bad_bytes:
        col = next((h for h, f in zip(header, fields) if "\ufffd" in f), None)
        return {"col": col, "why": bad_bytes[0]}
    if len(fields) != len(header):
        return {"col": None, "why": f"row has {len(fields)} fields, the header has {len(header)}"}
    if [f.lstrip("\ufeff").strip().lower() for f in fields] == header:  # a pasted file may bring its BOM
        return {"col": None, "why": "row repeats the header row (files pasted together?)"}
    return None


def _read_parquet(path: Path, rel: str, feed: Feed) -> pl.DataFrame:
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # not a Parquet file, or a truncated one
        raise LandingError(rel, f"unreadable Parquet file: {_first_line(exc)}") from exc
    try:
        _check_header([name.strip().lower() for name in schema.names], rel, feed)  # 'Qty' and 'qty' are one column twice
    except LandingError as exc:  # a Parquet file has no header line: ':1' read as its first row (review)
        raise LandingError(exc.file, exc.message, column=exc.column) from None
    for field in schema:  # Polars reads decimals of up to 38 digits; past that its error named no column (review)
        if pa.types.is_decimal(field.type) and field.type.precision > 38:
            raise LandingError(rel, f"a {field.type} column: more than 38 digits, which trustcard cannot read; "
                                    "write it as decimal(38, s) or lower, or as float64", column=field.name.strip().lower())
    try:
        frame = _parquet_frame(path, schema, rel, feed)
    except LandingError:
        raise
    # polars and pyarrow raise several error types for a corrupt file; a Rust panic is no Exception
    except (Exception, pl.exceptions.PanicException) as exc:
        raise LandingError(rel, f"unreadable Parquet file: {_first_line(exc)}") from exc
    frame = frame.rename(dict(zip(frame.columns, [c.strip().lower() for c in frame.columns])))
    frame, errors = _binary_as_text(frame, set(feed.column_names))
    dates = {c.name for c in feed.columns if c.type == "date"}
    # Ids and flags written as floats (pandas: a column of 1/0 with one missing value is float64)
    texts = {c.name for c in feed.columns if c.type in ("text", "bool")}
    # An optional number's NaN is the float for "no value" (Polars and NumPy-backed Arrow write
    # it so): empty, as a CSV export leaves it, not a row rejected for 'NaN' (hostile review: a
    # delivery with qty_delivered NaN was left out of the score). A required one's stays 'NaN',
    # rejected by name.
    optional = {c.name for c in feed.columns if c.type == "number" and not c.required}
    frame = frame.with_columns(_to_text(_midnights_as_dates(frame[c], rel) if c in dates else
                                        _whole_floats_as_integers(frame[c]) if c in texts else
                                        frame[c].fill_nan(None) if c in optional and frame[c].dtype.is_float() else
                                        frame[c], rel)
                               for c in frame.columns)
    frame, errors = _nul_values(frame, errors, set(feed.column_names))
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("_overflow"))
    return _finish(frame, feed, rel, errors=errors)  # rows numbered from 1


def _nul_values(frame: pl.DataFrame, errors: list[dict | None] | None,
                contract: set[str]) -> tuple[pl.DataFrame, list[dict | None] | None]:
    """A NUL in a contract column's text is not text: its row is rejected naming column and
    position, and the NUL kept as U+FFFD, as a CSV line holding one is (review: Parquet text took
    NULs in silently, to be printed in a PDF or cut short by a C string). An extra column is kept
    as JSON in `_extra`, which writes a NUL as \\u0000: no reason to reject its row."""
    for name in [c for c, kind in frame.schema.items() if kind == pl.String and c in contract]:
        found = frame[name].str.find("\x00", literal=True)
        rows = found.is_not_null().arg_true().to_list()
        if not rows:
            continue
        errors = errors or [None] * frame.height
        for row in rows:
            errors[row] = errors[row] or {"col": name, "why": f"holds a NUL character (position {found[row] + 1} "
                                                              "of the value): not text"}
        frame = frame.with_columns(pl.col(name).str.replace_all("\x00", "\ufffd", literal=True))
    return frame, errors


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _zoned(kind: pa.DataType) -> bool:
    """Whether a type is, or holds, a timestamp with a time zone."""
    if pa.types.is_timestamp(kind):
        return kind.tz is not None
    if isinstance(kind, (pa.ListType, pa.LargeListType, pa.FixedSizeListType)):
        return _zoned(kind.value_type)
    if isinstance(kind, pa.StructType):
        return any(_zoned(kind.field(i).type) for i in range(kind.num_fields))
    if isinstance(kind, pa.MapType):
        return _zoned(kind.key_type) or _zoned(kind.item_type)
    return False


def _parquet_frame(path: Path, schema: pa.Schema, rel: str, feed: Feed) -> pl.DataFrame:
    """The file as a Polars frame. Polars cannot name every time zone Arrow can (a fixed offset
    such as '+05:30', which pandas writes, makes it panic), so a file with zoned timestamps is
    read with pyarrow and each such column resolved first: a date column to its wall-clock time in
    its own zone (a midnight there is that date), any other to the same instants in UTC, and a
    nested (extra) column holding one to its JSON text."""
    if not any(_zoned(f.type) for f in schema):
        return pl.read_parquet(path)
    table = pq.read_table(path)
    dates = {c.name for c in feed.columns if c.type == "date"}
    for i, field in enumerate(table.schema):
        if _zoned(field.type):
            table = table.set_column(i, field.name, _resolved(table.column(i), field, dates, rel))
    return pl.from_arrow(table)


def _resolved(column: pa.ChunkedArray, field: pa.Field, dates: set[str], rel: str) -> pa.Array:
    try:
        if not pa.types.is_timestamp(field.type):  # an extra column: kept as text, as _to_text keeps it
            return pa.array([None if v is None else json.dumps(v, default=str) for v in column.to_pylist()], pa.string())
        if field.name.strip().lower() in dates:
            return pc.local_timestamp(column)
        return column.cast(pa.timestamp(field.type.unit, "UTC"))
    except (pa.ArrowException, ValueError, OverflowError) as exc:
        raise LandingError(rel, f"its time zone '{field.type.tz if pa.types.is_timestamp(field.type) else '?'}' "
                                f"cannot be read: {_first_line(exc)}", column=field.name) from exc


def _midnights_as_dates(series: pl.Series, rel: str) -> pl.Series:
    """A date column written as datetimes (pandas writes dates as timestamp[ns]): a value at
    midnight (in its own time zone) is read as its date; any other keeps its time, for validation
    to refuse with the full timestamp in the reason."""
    if not isinstance(series.dtype, pl.Datetime):
        return series
    at_midnight = series.dt.time() == time(0, 0)
    return pl.select(pl.when(at_midnight).then(series.dt.date().cast(pl.String))
                     .otherwise(_to_text(series, rel)).alias(series.name)).to_series()


def _whole_floats_as_integers(series: pl.Series) -> pl.Series:
    """A text column (an id) or a flag written as floats or decimals: pandas stores a column of
    integers with one empty value as float64, so the id 1001 arrives as 1001.0 and the flag 1 as
    1.0, which must read as the '1001' and '1' of a CSV export of the same rows. A whole value
    (exact below 2^53) is written as an integer; NaN, the float that stands for a missing value,
    as missing (it was read as the id 'NaN'; review); any other as the number it is."""
    if series.dtype.is_decimal():  # decimal(12,3) writes 1001 as '1001.000', 1001.5 as '1001.500'
        return series.cast(pl.String).str.replace(r"(\.\d*?)0+$", "${1}").str.replace(r"\.$", "")
    if not series.dtype.is_float():
        return series
    whole = series.is_finite() & (series == series.round(0)) & (series.abs() < 2.0 ** 53)
    return pl.select(pl.when(whole).then(series.cast(pl.Int64, strict=False).cast(pl.String))
                     .when(series.is_nan()).then(None)
                     .otherwise(series.cast(pl.String)).alias(series.name)).to_series()


def _to_text(series: pl.Series, rel: str) -> pl.Series:
    if series.dtype == pl.String:
        return series
    if isinstance(series.dtype, pl.Duration):  # ISO 8601 (P1DT2H): Polars casts no duration to text
        return series.dt.to_string("iso")
    if series.dtype == pl.Boolean:
        return series.cast(pl.String).str.to_lowercase()
    if isinstance(series.dtype, pl.Datetime):
        fmt = "%Y-%m-%dT%H:%M:%S%.f%:z" if series.dtype.time_zone else "%Y-%m-%dT%H:%M:%S%.f"
        return series.dt.to_string(fmt)
    if series.dtype.is_nested():  # lists and structs (extra columns) are kept as JSON text
        return pl.Series(series.name, [None if v is None else json.dumps(v, default=str) for v in series.to_list()],
                         dtype=pl.String)
    try:
        return series.cast(pl.String)
    except pl.exceptions.PolarsError as exc:  # binary values that are not UTF-8 are decoded by _binary_as_text
        raise LandingError(rel, f"a {series.dtype} column that cannot be read as text: {exc}",
                           column=series.name) from exc


def _binary_as_text(frame: pl.DataFrame, contract: set[str]) -> tuple[pl.DataFrame, list[dict | None] | None]:
    """Binary columns as text, and each row's problem: a contract column's value that is not UTF-8
    is kept with U+FFFD in place of its bad bytes and its row rejected naming the byte, as a CSV
    line's is (one such value refused the whole file; review). None when no value is bad. An extra
    column's bytes (a UUID, a row hash: ignored by the contract) are kept as hex, never a reason
    to reject a row (review: a DuckDB export's UUID column refused the whole file)."""
    errors: list[dict | None] | None = None
    for name in [c for c, kind in frame.schema.items() if kind == pl.Binary and c not in contract]:
        frame = frame.with_columns(pl.col(name).bin.encode("hex"))
    for name in [c for c, kind in frame.schema.items() if kind == pl.Binary]:
        values = frame[name].to_list()
        texts = []
        for row, value in enumerate(values):
            try:
                texts.append(None if value is None else value.decode("utf-8"))
            except UnicodeDecodeError as exc:
                texts.append(value.decode("utf-8", errors="replace"))
                errors = errors or [None] * frame.height
                errors[row] = errors[row] or {"col": name, "why": f"not valid UTF-8 (byte 0x{value[exc.start]:02X} "
                                                                  f"at position {exc.start + 1} of the value)"}
        frame = frame.with_columns(pl.Series(name, texts, dtype=pl.String))
    return frame, errors


def _finish(frame: pl.DataFrame, feed: Feed, rel: str, numbers: list[int] | None = None,
            errors: list[dict | None] | None = None) -> pl.DataFrame:
    """Add missing optional columns, pack extras as JSON, add provenance, keep `_overflow`.
    Without `numbers` rows are numbered 1, 2, ...; without `errors` no row has one (built as
    columns, not from Python lists: a million-row Parquet file pays nothing for them)."""
    contract = feed.column_names
    extras = [c for c in frame.columns if c not in contract and c != "_overflow"]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in contract if c not in frame.columns)
    return frame.select(
        *[pl.col(c) for c in contract],
        pl.lit(rel).alias("_source_file"),
        (pl.int_range(1, pl.len() + 1, dtype=pl.Int64) if numbers is None
         else pl.Series("_row_number", numbers, dtype=pl.Int64)).alias("_row_number"),
        (pl.lit(None, dtype=ROW_ERROR) if errors is None
         else pl.Series("_row_error", errors, dtype=ROW_ERROR)).alias("_row_error"),
        (pl.struct(extras).struct.json_encode() if extras else pl.lit(None, dtype=pl.String)).alias("_extra"),
        pl.col("_overflow"),
    )
