"""Validate a staged feed's window: valid rows to the feed's table, the rest to quarantine.

Every staged row ends in exactly one place: the validated table, the quarantine, or the
count of exact duplicates (kept once). `ingest_log` records the balance per feed and month.
An exact copy of a rejected row is judged as its original and quarantined beside it, so that the
quarantine lists every line to mend (review: the second of two identical bad lines was counted as
a duplicate only, and came back as rejected once the first was mended).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ...lib.db import (ensure_table_like, keep_later_months_behind, month_filter, prepare, rewrite_in_order,
                       table_exists, transaction)
from ...lib.sql import load_sql
from ..ingest.feeds import Feed
from ..ingest.landing import LandingError, raw_record_sql, visible
from ..ingest.staging import parquet_list

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
    notes: tuple[str, ...] = ()  # rows kept as valid that the metrics do not count, and why

    @property
    def rows_not_listed(self) -> int:
        return rows_not_listed(self.rows_quarantined, self.top_reasons)


def rows_not_listed(rows_quarantined: int, top_reasons: list) -> int:
    """Quarantined rows of reasons beyond the commonest (`top_reasons`)."""
    return rows_quarantined - sum(rows for _, _, rows, _ in top_reasons)


def validate_feed(
    con: duckdb.DuckDBPyConnection, feed: Feed, start: date, end: date, as_of: date, run_id: str
) -> ValidationSummary:
    prepare(con)
    params = {"start": start, "end": end, "as_of": as_of} if feed.is_folder else {}
    where, args = month_filter(feed.is_folder, start, end)
    sql = load_sql(f"validated/val_{feed.name}")
    # The judgement is computed twice rather than kept for every row: once here for the few rows
    # that are not valid (with what quarantine shows of them), once streamed into the valid table
    # (_write). Writing every judged row to a temporary table first cost more than that.
    typed = ", ".join(f"'{c}': \"{c}\"::VARCHAR" for c in feed.column_names)  # the contract's names, not data
    con.execute(f"""CREATE OR REPLACE TEMP TABLE judged AS
                    SELECT month, vendor_id, _source_file, _row_number, _problem, _dup_status,
                           CASE WHEN _problem IS NOT NULL THEN json_with(to_json({{{typed}}})::VARCHAR, _extra)
                           END AS _typed_record
                    FROM ({sql}) WHERE _problem IS NOT NULL OR _dup_status = 'duplicate'""", params)
    _fetch_raw_records(con, feed)
    month = "month" if feed.is_folder else "NULL::DATE"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE tally AS
                    SELECT r.m AS month, r.n AS rows_read, r.n - coalesce(j.q, 0) - coalesce(j.d, 0) AS rows_valid,
                           coalesce(j.q, 0) AS rows_quarantined, coalesce(j.d, 0) AS rows_duplicate
                    FROM (SELECT {month} AS m, count(*) AS n FROM stg_{feed.name} WHERE {where} GROUP BY m) r
                    LEFT JOIN (SELECT month AS m, count(*) FILTER (WHERE _problem IS NOT NULL) AS q,
                                      count(*) FILTER (WHERE _dup_status = 'duplicate' AND _problem IS NULL) AS d
                               FROM judged GROUP BY m) j ON r.m IS NOT DISTINCT FROM j.m""", args)
    # the vendor list is judged before `vendors` exists: its rows never name an unknown vendor
    judged = load_sql("validated/judged_with_alike_ids") if feed.is_folder else "SELECT *, _problem.why AS _why FROM judged"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE quarantine_new AS
           SELECT ? AS feed, j.month, j.vendor_id, j._source_file AS source_file, j._row_number AS row_number,
                  j._problem.col AS column_name, j._why AS reason,
                  coalesce(r._raw, j._typed_record) AS raw_record,
                  coalesce(q.first_rejected_run, ?) AS first_rejected_run
           FROM ({judged}) j
           LEFT JOIN raw_records r USING (_source_file, _row_number)
           LEFT JOIN quarantine q ON q.feed = ? AND q.source_file = j._source_file
                 AND q.row_number = j._row_number AND q.reason = j._why
           WHERE j._problem IS NOT NULL ORDER BY source_file, row_number""",
        [feed.name, run_id, feed.name],
    )
    if not feed.is_folder:
        _require_a_vendor(con, feed)
        _require_one_self(con, feed, sql)
    cols = ", ".join((["month"] if feed.is_folder else []) + feed.column_names + PROVENANCE)
    table = VALID_TABLE[feed.name]
    con.execute(f"CREATE OR REPLACE TEMP VIEW valid_shape AS SELECT {cols} FROM stg_{feed.name} LIMIT 0")
    ensure_table_like(con, table, "valid_shape")
    # Ordered by month, key and the row's place (unique): the same table on every run.
    valid = (f"SELECT {cols} FROM ({sql}) WHERE _problem IS NULL AND _dup_status <> 'duplicate' "
             f"ORDER BY {'month, ' if feed.is_folder else ''}{feed.key}, _source_file, _row_number")
    _write(con, feed, table, where, args, valid, params)
    return _summary(con, feed)


def _fetch_raw_records(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """The raw records (the rows as read) of the rows going to quarantine, into `raw_records`, made
    from the files staging spooled them to. A spooled file that is gone (its folder deleted, the
    database moved) leaves its rows to be shown by their typed values (`judged._typed_record`)."""
    parts = [Path(p) for (p,) in con.execute(
        """SELECT DISTINCT part FROM spooled_files
           WHERE feed = ? AND source_file IN (SELECT _source_file FROM judged WHERE _problem IS NOT NULL)
           ORDER BY part""", [feed.name]).fetchall()]
    parts = [p for p in parts if p.is_file()]
    if not parts:
        con.execute("CREATE OR REPLACE TEMP TABLE raw_records (_source_file VARCHAR, _row_number BIGINT, _raw VARCHAR)")
        return
    # Joined first, then made: a record made for every spooled row cost 3 s at 10M deliveries.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE raw_records AS
                    SELECT _source_file, _row_number, {raw_record_sql(feed)} AS _raw
                    FROM read_parquet({parquet_list(parts)})
                    SEMI JOIN (SELECT _source_file, _row_number FROM judged WHERE _problem IS NOT NULL)
                    USING (_source_file, _row_number)""")


def _require_a_vendor(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """A vendor list with no valid vendor would reject every delivery, complaint and announcement
    and replace each month's scores with nothing: stop before anything is written, and say why."""
    if con.execute("SELECT coalesce(sum(rows_valid), 0) FROM tally").fetchone()[0]:
        return
    rows, reasons = con.execute(
        """SELECT count(*), list(DISTINCT r ORDER BY r)[:3]
           FROM (SELECT coalesce(column_name || ': ', '') || reason || ' (line ' || row_number || ')' AS r
                 FROM quarantine_new)""").fetchall()[0]
    why = f"all {rows} rows rejected: " + "; ".join(reasons) if rows else "it lists no vendor"
    raise LandingError(feed.path, f"no valid vendor ({why}); without one every other row would be "
                                  "rejected and the months' scores replaced by nothing")


def _require_one_self(con: duckdb.DuckDBPyConnection, feed: Feed, sql: str) -> None:
    """`is_self` marks *the* row of our own company. Two such rows would put one of them in the
    executive report's "how our customers see us" and drop the other from every table and peer
    group, with nothing said: stop before anything is written, and name the lines."""
    lines = con.execute(f"""SELECT list(_row_number ORDER BY _row_number) FROM ({sql})
                            WHERE _problem IS NULL AND _dup_status <> 'duplicate' AND is_self""").fetchone()[0]
    if lines and len(lines) > 1:
        where = ", ".join(str(n) for n in lines[:10]) + (", …" if len(lines) > 10 else "")
        raise LandingError(feed.path, f"true on {len(lines)} rows (lines {where}); only one row can be "
                                      "our own company", column="is_self")


def _write(con: duckdb.DuckDBPyConnection, feed: Feed, table: str, where: str, args: list,
           valid: str, params: dict) -> None:
    with transaction(con, table):
        con.execute(f"DELETE FROM {table} WHERE {where}", args)
        con.execute(f"INSERT INTO {table} BY NAME {valid}", params)
        if feed.is_folder:  # `valid` is in month order; args: the window's [start, end)
            keep_later_months_behind(con, table, args[1], f"month, {feed.key}, _source_file, _row_number")
        con.execute(f"DELETE FROM quarantine WHERE feed = ? AND {where}", [feed.name, *args])
        con.execute("INSERT INTO quarantine BY NAME SELECT * FROM quarantine_new")
        rewrite_in_order(con, "quarantine")
        con.execute(f"DELETE FROM ingest_log WHERE feed = ? AND {where}", [feed.name, *args])
        con.execute("INSERT INTO ingest_log SELECT ?, * FROM tally ORDER BY month", [feed.name])
        rewrite_in_order(con, "ingest_log")


def _summary(con: duckdb.DuckDBPyConnection, feed: Feed) -> ValidationSummary:
    read, valid, quarantined, dup = con.execute(
        """SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_valid), 0), coalesce(sum(rows_quarantined), 0),
                  coalesce(sum(rows_duplicate), 0) FROM tally""").fetchone()
    reasons = _top_reasons(con, "quarantine_new", "true", [])
    return ValidationSummary(feed.name, int(read), int(valid), int(quarantined), int(dup), reasons)


def feed_summary(con: duckdb.DuckDBPyConnection, feed: Feed) -> ValidationSummary:
    """The same summary over every month of the feed, from what validation wrote (`ingest_log`,
    `quarantine`): right however many windows were validated to get there."""
    read, valid, quarantined, dup = con.execute(
        """SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_valid), 0), coalesce(sum(rows_quarantined), 0),
                  coalesce(sum(rows_duplicate), 0) FROM ingest_log WHERE feed = ?""", [feed.name]).fetchall()[0]
    reasons = _top_reasons(con, "quarantine", "feed = ?", [feed.name])
    return ValidationSummary(feed.name, int(read), int(valid), int(quarantined), int(dup), reasons,
                             feed_notes(con, feed))


def feed_notes(con: duckdb.DuckDBPyConnection, feed: Feed) -> tuple[str, ...]:
    """Valid rows read otherwise than written, or kept and not counted, one line per kind:
    vendor categories differing only in case, read as one; re-dates of an announcement made on
    or after the day it shipped or was cancelled (the contract allows them; a tracker that keeps
    editing a closed item's date may hold a mistake worth a look)."""
    if feed.name == "vendors":
        return _categories_folded(con)
    if feed.name != "announcements":
        return ()
    redates, announcements, first_at = con.execute(load_sql("validated/redates_after_the_end")).fetchone()
    if not redates:
        return ()
    return (f"{redates} re-date(s) of {announcements} announcement(s) made on or after the day it shipped or was "
            f"cancelled: kept, not counted as promises (first at {first_at})",)


def _categories_folded(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """Categories written differently only in case, read as one (val_vendors.sql): said, since the
    reports print the one spelling."""
    if not table_exists(con, "stg_vendors"):
        return ()
    return tuple(f"a category written {visible(spellings)} (vendors) is read as one: '{visible(read_as)}'"
                 for spellings, read_as in con.execute(load_sql("validated/vendor_categories_folded")).fetchall())


def _top_reasons(con: duckdb.DuckDBPyConnection, table: str, where: str, args: list) -> list[tuple]:
    """The 8 commonest reasons in a quarantine-shaped table, grouped by their kind (`reason_kind`:
    the values they quote masked), each with the first row's place. A group whose rows quote
    different values is told by the first row's words and how many more are like it: quoting them
    alone read as if every row held that value, and the kind's mask ('…') as if the file held it
    (hostile review)."""
    return [tuple(r) for r in con.execute(
        f"""SELECT col, CASE WHEN variants = 1 THEN first_reason
                             ELSE first_reason || ' (and ' || (variants - 1) || ' more like it, with other values)' END,
                   n, place
            FROM (SELECT coalesce(column_name, '(row)') AS col, reason_kind(reason) AS kind,
                         arg_min(reason, (source_file, row_number)) AS first_reason,
                         count(DISTINCT reason) AS variants, count(*) AS n,
                         arg_min(source_file || ':' || row_number, (source_file, row_number)) AS place
                  FROM {table} WHERE {where}
                  GROUP BY col, kind)
            ORDER BY n DESC, 1, 2 LIMIT 8""", args).fetchall()]
