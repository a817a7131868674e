"""Great Expectations on DuckDB: the suite's checks run as SQL where the staged rows are.

GX 1.x has no DuckDB data source, but it speaks SQLAlchemy, and `duckdb_engine` is DuckDB's
SQLAlchemy dialect. Two gaps between them are bridged here, both measured on the bench data:

- GX reads a query's rows after handing its connection back, and the rollback that follows
  discards a DuckDB result still pending: every metric came back empty. Cursors here read each
  result whole when it is executed (GX's results are small: counts and the rows it flags).
- GX writes `vendor_id IN ($1, ..., $n)` with one parameter per known vendor, which DuckDB
  compares value by value: 144 s for 10M deliveries and 5,000 vendors. Rewritten as
  `IN (SELECT unnest($k))`, the same values travel as one list parameter and DuckDB hashes
  them (a join); the values stay parameters, never SQL text.

GX runs on the caller's own connection, so it sees the caller's temporary views and macros.
"""
from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from typing import Any

import duckdb
from duckdb_engine import ConnectionWrapper

# An IN list of numbered parameters only, as SQLAlchemy expands a value set ("numeric_dollar").
IN_LIST = re.compile(r"\bIN \((\$\d+(?:, \$\d+)+)\)")
PARAMETER = re.compile(r"\$(\d+)")
# Short lists are left alone: comparing a few values is as fast as a join.
MIN_LIST = 16


def hash_in_lists(statement: str, parameters: Sequence[Any] | None) -> tuple[str, list[Any] | None]:
    """`x IN ($3, ..., $900)` -> `x IN (SELECT unnest($3))` with those values as one list
    parameter; the other parameters are renumbered in order. Same rows, a hash join."""
    if not parameters or not any(len(m.group(1).split(", ")) >= MIN_LIST for m in IN_LIST.finditer(statement)):
        return statement, list(parameters) if parameters is not None else None
    values: list[Any] = []

    def parameter(number: str) -> str:
        values.append(parameters[int(number) - 1])
        return f"${len(values)}"

    def rewrite(match: re.Match) -> str:
        numbers = PARAMETER.findall(match.group(1))
        if len(numbers) < MIN_LIST:
            return "IN (" + ", ".join(parameter(n) for n in numbers) + ")"
        values.append([parameters[int(n) - 1] for n in numbers])
        return f"IN (SELECT unnest(${len(values)}))"

    pieces, last = [], 0
    for match in re.finditer(f"{IN_LIST.pattern}|{PARAMETER.pattern}", statement):
        pieces.append(statement[last:match.start()])
        pieces.append(rewrite(match) if match.group(0).startswith("IN") else parameter(match.group(0)[1:]))
        last = match.end()
    pieces.append(statement[last:])
    return "".join(pieces), values


class ReadWholeCursor:
    """A DB-API cursor on a DuckDB connection that reads each result whole when it executes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, connection: "SuiteConnection"):
        self._con, self.connection = con, connection
        self.description: list | None = None
        self.rowcount = -1
        self._rows: list[tuple] = []
        self._at = 0

    def execute(self, statement: str, parameters: Sequence[Any] | None = None, context: Any = None) -> None:
        statement, parameters = hash_in_lists(statement, parameters)
        if parameters is None:
            self._con.execute(statement)
        else:
            self._con.execute(statement, parameters)
        # Type codes as text: SQLAlchemy caches descriptions, and DuckDB's type objects kept
        # alive past interpreter shutdown make the extension print leak warnings at exit.
        self.description = [(d[0], str(d[1]), *d[2:]) for d in self._con.description or []] or None
        self._rows = self._con.fetchall() if self.description else []
        self._at, self.rowcount = 0, len(self._rows) if self.description else -1

    def executemany(self, statement: str, parameters: Sequence[Sequence[Any]] = (), context: Any = None) -> None:
        self._con.executemany(statement, list(parameters))
        self.description, self._rows, self._at = None, [], 0

    def fetchone(self) -> tuple | None:
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        rows = self._rows[self._at:self._at + (size or 1)]
        self._at += len(rows)
        return rows

    def fetchall(self) -> list[tuple]:
        rows = self._rows[self._at:]
        self._at = len(self._rows)
        return rows

    def close(self) -> None:
        pass


class SuiteConnection(ConnectionWrapper):
    """The caller's connection as SQLAlchemy sees it; closing it leaves the caller's open."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        super().__init__(con)
        self._duckdb = con

    def cursor(self) -> ReadWholeCursor:
        return ReadWholeCursor(self._duckdb, self)

    def close(self) -> None:
        pass


def add_duckdb_source(context: Any, name: str, con: duckdb.DuckDBPyConnection) -> Any:
    """A GX SQL data source whose queries run on `con`."""
    return context.data_sources.add_sql(
        name, connection_string="duckdb:///:memory:",  # never opened: the creator supplies `con`
        kwargs={"creator": lambda: SuiteConnection(con)},
    )


def release_duckdb_source(context: Any, source: Any) -> None:
    """Drop the source and its engine's pooled connections: nothing of DuckDB's may outlive the
    check (DuckDB objects still referenced at interpreter exit are reported as leaks)."""
    engine = source.get_engine()
    context.data_sources.delete(source.name)
    engine.dispose()
    gc.collect()
