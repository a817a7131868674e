"""Small DuckDB helpers shared by every stage: macros, table creation, windowed replace."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from .interrupts import stop_if_interrupted
from .sql import load_sql


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Install the SQL macros (once per connection) and the fixed tables (idempotent)."""
    if install_macros(con):
        con.execute(load_sql("schema"))


def install_macros(con: duckdb.DuckDBPyConnection) -> bool:
    """Install the SQL macros (temporary: once per connection); whether they were missing. For a
    reader of the tables (the reports), which creates none."""
    installed = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'problem' AND schema_name = 'main' "
        "AND database_name = 'temp'"
    ).fetchall()[0][0]
    if not installed:
        con.execute(load_sql("macros"))
    return not installed


def ensure_table_like(con: duckdb.DuckDBPyConnection, table: str, source: str) -> None:
    """Create `table` with the columns of `source` (a table or view) if it does not exist. When a
    newer trustcard only adds columns, they are added (NULL in the rows kept): an upgrade then keeps
    the months its first run does not redo, such as the scorecard's other months. Any other change
    of shape (a column gone or retyped) re-creates the table: every such table is derived from the
    landing files and is rebuilt by rerunning its months. Rows are always written BY NAME."""
    have, want = _shape(con, table), _shape(con, source)
    if have is not None and set(have) != set(want):
        if set(have) <= set(want):
            for name, kind in (column for column in want if column not in have):
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')
        else:
            con.execute(f"DROP TABLE {table}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM {source} LIMIT 0")


def _shape(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple] | None:
    try:
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
    except duckdb.CatalogException:
        return None


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the database (not the temp schema) holds `table`."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND schema_name = 'main' AND table_name = ?", [table]).fetchone()[0])


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def month_filter(partitioned: bool, start: date, end: date) -> tuple[str, list[date]]:
    """SQL filter (and its parameters) for the rows of months [start, end) plus rows of unknown
    month; a table without months (the vendor list) is taken whole."""
    return ("in_window(month, ?, ?)", [start, end]) if partitioned else ("true", [])


# Stored order. A window's write deletes its months and appends their rows, so without care the
# rows' stored order would record which months earlier runs wrote, and in which order: a reader
# without ORDER BY, or an export, would see a rerun of a middle month as a changed table (review).
# Every window is inserted in month order, and the two helpers below restore the rest, so that a
# table's stored order is the same whatever runs built it.


def keep_later_months_behind(con: duckdb.DuckDBPyConnection, table: str, end: date, order: str) -> None:
    """After months [start, end) were appended: move the rows of months from `end` on (written by
    earlier runs) behind them, in `order`. Costs the later months' rows only (none when the window
    is the table's last months, as in a monthly run)."""
    if not con.execute(f"SELECT EXISTS (FROM {table} WHERE month >= ?)", [end]).fetchone()[0]:
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE later_months AS FROM {table} WHERE month >= ? ORDER BY {order}", [end])
    con.execute(f"DELETE FROM {table} WHERE month >= ?", [end])
    con.execute(f"INSERT INTO {table} FROM later_months")
    con.execute("DROP TABLE later_months")


def rewrite_in_order(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rewrite a small table (quarantine, ingest_log, expectation_results: one feed's window is
    replaced among the other feeds') in the order of all its columns."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE reordered AS FROM {table} ORDER BY ALL")
    con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO {table} FROM reordered")
    con.execute("DROP TABLE reordered")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, table: str = "") -> Iterator[None]:
    """One month's write is all or nothing: a failure (or a killed process) leaves the old state."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        _hold_before_commit(table)
        stop_if_interrupted(f"the write{' of ' + table if table else ''} was rolled back")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _hold_before_commit(table: str) -> None:
    """Fault-injection point for the kill -9 test: with TRUSTCARD_TEST_HOLD_COMMIT=<table> and
    TRUSTCARD_TEST_HOLD_MARKER=<file>, the write of that table announces itself in the marker
    file and waits, uncommitted, to be killed. Unset (always, outside that test) it does nothing."""
    if not table or os.environ.get("TRUSTCARD_TEST_HOLD_COMMIT") != table:
        return
    Path(os.environ["TRUSTCARD_TEST_HOLD_MARKER"]).write_text(f"{os.getpid()} {table}\n")
    time.sleep(120)
