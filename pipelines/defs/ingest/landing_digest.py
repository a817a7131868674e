"""What the landing folder holds, month by month, as digests: the late-data sensor compares two
of these to know which months a new or changed file touches.

A month's digest covers the content of its rows (and their duplicate status), not file names or
row order: moving rows between files changes nothing, while a late row, a corrected value, a
removed file or a new duplicate of an older row changes exactly the months whose rows differ.
Months are assigned by the same staging SQL the pipeline runs, in an in-memory DuckDB (the
sensor never opens the database file, which a run may be writing). A digest is the sum of a 64-bit
hash of each row as read (every value as text, extra fields too) with its duplicate status: one
streaming aggregate, where sorting and hashing every month's text ran out of memory at 10M rows.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from ...lib.db import prepare
from ...lib.duckdb_resource import open_database
from ...lib.months import parse_month
from ...lib.sql import load_sql
from .feeds import ALL_FEEDS, Feed
from .landing import file_signatures
from .staging import KEYED, landing_view, repeated_keys_sql

NO_MONTH = "none"  # rows whose month cannot be read (they are quarantined by every run)
WHOLE = "all"      # the vendor list belongs to every month
# The digests' formula, and DuckDB's (its hash() may change between releases): digests of
# another version cannot be compared month by month (see `changes`).
DIGEST_VERSION = f"2/duckdb {duckdb.__version__}"


@dataclass
class FeedDigest:
    files: dict[str, list[int]]                                   # file -> [size, mtime_ns, ctime_ns, inode]
    months: dict[str, list] = field(default_factory=dict)         # "2026-03" -> [digest, rows]
    month_files: dict[str, list[str]] = field(default_factory=dict)  # "2026-03" -> files with its rows
    # Announcements: "2027-06" (due) -> "2026-09", the first month a statement after the first one
    # was made (a re-date, a cancellation: the announcement is judged from then, before it is due).
    month_since: dict[str, str] = field(default_factory=dict)
    version: str = DIGEST_VERSION

    def to_json(self) -> dict:
        return {"files": self.files, "months": self.months, "month_files": self.month_files,
                "month_since": self.month_since, "version": self.version}

    @classmethod
    def from_json(cls, data: dict) -> "FeedDigest":
        return cls(data["files"], data["months"], data["month_files"], data.get("month_since", {}),
                   str(data.get("version", 1)))


def digest_feed(landing_dir: Path, feed: Feed, previous: FeedDigest | None = None) -> FeedDigest:
    """The feed's month digests; reuses `previous` when no file's size or time changed."""
    files = file_signatures(landing_dir, feed)
    if previous is not None and previous.files == files and previous.version == DIGEST_VERSION:
        return previous
    con = open_database(":memory:")
    try:
        with tempfile.TemporaryDirectory(prefix="trustcard-digest-") as spill:
            # Beyond its memory limit DuckDB spills here (an in-memory database would use ./.tmp).
            con.execute("SET temp_directory = ?", [spill])
            prepare(con)
            with landing_view(con, landing_dir, feed, keep=False):
                return FeedDigest(files, *_month_digests(con, feed))
    finally:
        con.close()


def _month_digests(con: duckdb.DuckDBPyConnection, feed: Feed) -> tuple[dict, dict, dict]:
    """(month -> [digest, rows], month -> files, month -> since) of the feed in the view `landing`."""
    # A view (read once, by the aggregate below), so it names its constants itself: ours, not data.
    month = f"coalesce(strftime(month, '%Y-%m'), '{NO_MONTH}')" if feed.is_folder else f"'{WHOLE}'"
    con.execute(f"CREATE TEMP VIEW staged AS SELECT {month} AS m, * FROM ({load_sql(f'staged/stg_{feed.name}')})")
    since = ("""strftime(min(s.event_date) FILTER (WHERE s.event IS DISTINCT FROM 'announced'
                 OR (s.event_date, s._source_file, s._row_number) > s.first_said), '%Y-%m')"""
             if feed.name == "announcements" else "NULL")
    source = ("(SELECT *, min((event_date, _source_file, _row_number)) FILTER (WHERE event = 'announced') "
              "OVER (PARTITION BY announcement_id) AS first_said FROM staged)" if feed.name == "announcements" else "staged")
    # The row as read: its text values (contract names, never data), extra fields, overflow, and
    # a reading problem without its line number (a row moved is the same row).
    read = (", ".join(f'l."{c}"' for c in feed.column_names) + ", l._extra, l._overflow, l._row_error.col, "
            r"regexp_replace(l._row_error.why, ' of line \d+', '')")
    # Staging judges a keyed feed's repeated keys after writing its rows: judged here the same way.
    status, repeated = ("s._dup_status", "") if feed.name not in KEYED else (
        "copy_status(s._row_error, r._conflict, r._first_at, s._source_file, s._row_number)",
        f"LEFT JOIN ({repeated_keys_sql('staged', feed, 'true')}) r ON s.{feed.key} = r._key")
    rows = con.execute(
        f"""SELECT s.m, md5(count(*) || ':' || sum(hash({read}, {status})::HUGEINT)), count(*),
                   list(DISTINCT s._source_file ORDER BY s._source_file), {since}
            FROM {source} s JOIN landing l USING (_source_file, _row_number) {repeated}
            GROUP BY s.m ORDER BY s.m""").fetchall()
    return ({m: [d, n] for m, d, n, _, _ in rows}, {m: list(f) for m, _, _, f, _ in rows},
            {m: s for m, _, _, _, s in rows if s})


def digest_landing(landing_dir: Path, previous: dict[str, FeedDigest] | None = None) -> dict[str, FeedDigest]:
    previous = previous or {}
    return {feed.name: digest_feed(landing_dir, feed, previous.get(feed.name)) for feed in ALL_FEEDS}


@dataclass(frozen=True)
class Change:
    feed: str
    month: str          # "2026-03", NO_MONTH or WHOLE
    rows_before: int
    rows_after: int
    files: tuple[str, ...]  # changed files that hold (or held) rows of the month
    digest: str = ""        # the month's content digest after the change ("" when it is gone)
    since: str = ""         # announcements: the first month its rows may be judged in, if before it
    elsewhere: bool = False  # none of the month's files changed: a changed file repeats one of its keys

    def first_month(self) -> date:
        """The first month its rows may count in: its own, or for announcements the month of a
        re-date or cancellation made before it (judged from then). Not for NO_MONTH or WHOLE."""
        own = parse_month(self.month)
        return min(own, parse_month(self.since)) if self.since else own

    def describe(self) -> str:
        where = ", ".join(self.files) or "a removed file"
        if self.elsewhere:  # e.g. a late file's key now conflicts with a row of this month
            where = f"a key repeated in {where}"
        return f"{self.feed} {self.month}: {self.rows_before} -> {self.rows_after} rows ({where})"


def changes(old: dict[str, FeedDigest], new: dict[str, FeedDigest]) -> list[Change]:
    """Every (feed, month) whose rows differ between two digests of the landing folder."""
    out = []
    for feed, after in new.items():
        before = old.get(feed, FeedDigest({}))
        upgraded = before.version != after.version and feed in old
        if upgraded:
            if before.files == after.files:
                continue  # the same files: the same rows, whatever their digests say
            # Digests made another way (an upgrade) cannot tell which months changed: all of them.
            before = FeedDigest(before.files, {m: ["", n] for m, (_, n) in before.months.items()},
                                before.month_files, before.month_since, after.version)
        touched_files = {f for f in set(before.files) | set(after.files) if before.files.get(f) != after.files.get(f)}
        for month in sorted(set(before.months) | set(after.months)):
            if before.months.get(month, [None])[0] == after.months.get(month, [None])[0]:
                continue
            holders = set(after.month_files.get(month, [])) | set(before.month_files.get(month, []))
            since = min([m for m in (before.month_since.get(month), after.month_since.get(month)) if m] or [""])
            # After an upgrade a month may hold none of the changed files: name them all, not "a removed file".
            files = holders & touched_files
            # No file of the month changed, yet its rows did: a changed file repeats one of its keys
            # (an exact copy or a conflict), so its duplicate status moved. Name that file.
            elsewhere = not files and not upgraded and bool(touched_files)
            files = files or touched_files
            out.append(Change(feed, month, before.months.get(month, [None, 0])[1],
                              after.months.get(month, [None, 0])[1], tuple(sorted(files)),
                              after.months.get(month, [""])[0] or "", since, elsewhere))
    return out
