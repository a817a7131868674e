"""Stage a feed: landing files -> typed rows in DuckDB (`stg_<feed>`), one window of months at a time.

Staging reads every file of the feed, because duplicates and conflicts are judged across
all files; it then replaces only the window's months (and the rows of unknown month).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from ...lib.db import ensure_table_like, month_filter, prepare, transaction
from ...lib.sql import load_sql
from .feeds import Feed
from .landing import LandingError, read_feed

# A column whose every value fails to parse is a structural fault (wrong format, wrong column),
# not a few bad rows: with at least this many values, the file is refused as a whole.
WHOLE_COLUMN_MIN_VALUES = 3


@dataclass(frozen=True)
class StageSummary:
    feed: str
    files: list[str]
    rows_read: int
    rows_in_window: int
    blank_lines: int


def stage_feed(con: duckdb.DuckDBPyConnection, landing_dir: Path, feed: Feed, start: date, end: date) -> StageSummary:
    frame = read_feed(landing_dir, feed)
    prepare(con)
    con.register("landing", frame.rows.to_arrow())
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE staged_new AS {load_sql(f'staged/stg_{feed.name}')}")
    finally:
        con.unregister("landing")
    refuse_wrongly_typed_columns(con, frame.rows, feed)
    table = f"stg_{feed.name}"
    ensure_table_like(con, table, "staged_new")
    where, args = month_filter(feed.is_folder, start, end)  # the vendor list is replaced whole
    with transaction(con, table):
        con.execute(f"DELETE FROM {table} WHERE {where}", args)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_new WHERE {where}", args)
        in_window = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", args).fetchall()[0][0]
    return StageSummary(feed.name, frame.files, frame.rows.height, in_window, frame.blank_lines)


def refuse_wrongly_typed_columns(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, feed: Feed) -> None:
    """Raise LandingError when a file's typed column has values and not one of them parses."""
    failures = con.execute(
        """SELECT _source_file, _parse_problem.col AS col, count(*) AS n, min(_row_number) AS first_line,
                  arg_min(_parse_problem.why, _row_number) AS why
           FROM staged_new WHERE _parse_problem IS NOT NULL GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    if not failures:
        return
    given = (
        rows.group_by("_source_file")
        .agg([(pl.col(c).str.strip_chars().str.len_chars() > 0).sum().alias(c) for c in feed.column_names])
    )
    counts = {r["_source_file"]: r for r in given.to_dicts()}
    for source, col, n, first_line, why in failures:
        values = counts.get(source, {}).get(col, 0)
        if values >= WHOLE_COLUMN_MIN_VALUES and n >= values:
            raise LandingError(
                source, f"none of its {values} values parses ({why}): wrong format or wrong column?",
                column=col, line=first_line,
            )
