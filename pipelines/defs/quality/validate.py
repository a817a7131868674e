"""Validate a staged feed's window: valid rows to the feed's table, the rest to quarantine.

Every staged row ends in exactly one place: the validated table, the quarantine, or the
count of exact duplicates (kept once). `ingest_log` records the balance per feed and month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from ...lib.db import ensure_table_like, month_filter, prepare, transaction
from ...lib.sql import load_sql
from ..ingest.feeds import Feed
from ..ingest.landing import LandingError

# The validated table of each feed: what the metrics read.
VALID_TABLE = {"vendors": "vendors", "deliveries": "deliveries", "complaints": "complaints",
               "announcements": "announcement_events"}
PROVENANCE = ["_source_file", "_row_number", "_extra"]


@dataclass(frozen=True)
class ValidationSummary:
    feed: str
    rows_read: int
    rows_valid: int
    rows_quarantined: int
    rows_duplicate: int
    top_reasons: list[tuple[str, str, int, str]]  # (column, reason, rows, first file:line)


def validate_feed(
    con: duckdb.DuckDBPyConnection, feed: Feed, start: date, end: date, as_of: date, run_id: str
) -> ValidationSummary:
    prepare(con)
    params = {"start": start, "end": end, "as_of": as_of}
    sql = load_sql(f"validated/val_{feed.name}")
    if not feed.is_folder:
        params = {}
    # Only what the writes below read: the raw record is kept for the rows that go to quarantine.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE judged AS
                    SELECT * EXCLUDE (_parse_problem, _row_error, _dup_places)
                             REPLACE (CASE WHEN _problem IS NOT NULL THEN _raw END AS _raw)
                    FROM ({sql})""", params)
    keep = ["month"] if feed.is_folder else []
    keep += feed.column_names + PROVENANCE
    cols = ", ".join(keep)
    con.execute(f"CREATE OR REPLACE TEMP TABLE valid_new AS SELECT {cols} FROM judged "
                "WHERE _problem IS NULL AND _dup_status <> 'duplicate' ORDER BY ALL")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE quarantine_new AS
           SELECT ? AS feed, j.month, j.vendor_id, j._source_file AS source_file, j._row_number AS row_number,
                  j._problem.col AS column_name, j._problem.why AS reason, j._raw AS raw_record,
                  coalesce(q.first_rejected_run, ?) AS first_rejected_run
           FROM judged j
           LEFT JOIN quarantine q ON q.feed = ? AND q.source_file = j._source_file
                 AND q.row_number = j._row_number AND q.reason = j._problem.why
           WHERE j._problem IS NOT NULL ORDER BY source_file, row_number""",
        [feed.name, run_id, feed.name],
    )
    if not feed.is_folder:
        _require_a_vendor(con, feed)
    table = VALID_TABLE[feed.name]
    ensure_table_like(con, table, "valid_new")
    _write(con, feed, table, start, end)
    return _summary(con, feed)


def _require_a_vendor(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """A vendor list with no valid vendor would reject every delivery, complaint and announcement
    and replace each month's scores with nothing: stop before anything is written, and say why."""
    if con.execute("SELECT count(*) FROM valid_new").fetchall()[0][0]:
        return
    rows, reasons = con.execute(
        """SELECT count(*), list(DISTINCT r ORDER BY r)[:3]
           FROM (SELECT coalesce(column_name || ': ', '') || reason || ' (line ' || row_number || ')' AS r
                 FROM quarantine_new)""").fetchall()[0]
    why = f"all {rows} rows rejected: " + "; ".join(reasons) if rows else "it lists no vendor"
    raise LandingError(feed.path, f"no valid vendor ({why}); without one every other row would be "
                                  "rejected and the months' scores replaced by nothing")


def _write(con: duckdb.DuckDBPyConnection, feed: Feed, table: str, start: date, end: date) -> None:
    where, args = month_filter(feed.is_folder, start, end)
    with transaction(con, table):
        con.execute(f"DELETE FROM {table} WHERE {where}", args)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM valid_new")
        con.execute(f"DELETE FROM quarantine WHERE feed = ? AND {where}", [feed.name, *args])
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM quarantine_new")
        con.execute(f"DELETE FROM ingest_log WHERE feed = ? AND {where}", [feed.name, *args])
        con.execute(
            """INSERT INTO ingest_log
                SELECT ?, month AS m, count(*),
                       count(*) FILTER (WHERE _problem IS NULL AND _dup_status <> 'duplicate'),
                       count(*) FILTER (WHERE _problem IS NOT NULL),
                       count(*) FILTER (WHERE _dup_status = 'duplicate')
                FROM judged GROUP BY m ORDER BY m""",
            [feed.name],
        )


def _summary(con: duckdb.DuckDBPyConnection, feed: Feed) -> ValidationSummary:
    read, valid, quarantined, dup = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE _problem IS NULL AND _dup_status <> 'duplicate'),
                  count(*) FILTER (WHERE _problem IS NOT NULL), count(*) FILTER (WHERE _dup_status = 'duplicate')
           FROM judged"""
    ).fetchall()[0]
    reasons = _top_reasons(con, "quarantine_new", "true", [])
    return ValidationSummary(feed.name, read, valid, quarantined, dup, reasons)


def feed_summary(con: duckdb.DuckDBPyConnection, feed: Feed) -> ValidationSummary:
    """The same summary over every month of the feed, from what validation wrote (`ingest_log`,
    `quarantine`): right however many windows were validated to get there."""
    read, valid, quarantined, dup = con.execute(
        """SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_valid), 0), coalesce(sum(rows_quarantined), 0),
                  coalesce(sum(rows_duplicate), 0) FROM ingest_log WHERE feed = ?""", [feed.name]).fetchall()[0]
    reasons = _top_reasons(con, "quarantine", "feed = ?", [feed.name])
    return ValidationSummary(feed.name, int(read), int(valid), int(quarantined), int(dup), reasons)


def _top_reasons(con: duckdb.DuckDBPyConnection, table: str, where: str, args: list) -> list[tuple]:
    """The 8 commonest reasons in a quarantine-shaped table, grouped by their kind (quoted values
    masked), each with the first row's own words and place."""
    return [tuple(r) for r in con.execute(
        f"""SELECT coalesce(column_name, '(row)') AS col, arg_min(reason, (source_file, row_number)),
                   count(*) AS n, arg_min(source_file || ':' || row_number, (source_file, row_number))
            FROM {table} WHERE {where}
            GROUP BY col, regexp_replace(reason, '''[^'']*''', '''…''', 'g')
            ORDER BY n DESC, 1, 2 LIMIT 8""", args).fetchall()]
