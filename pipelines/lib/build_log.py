"""Skip work whose inputs have not changed: a step records a fingerprint of everything its output
depends on (input files' names, sizes and times, settings, and trustcard's own code), and a later
run with the same fingerprint reuses the output instead of rebuilding it byte for byte.

This is what makes a one-month rerun cost a month: staging and validation read and judge every
month of the landing files, and are skipped when those files have not changed since.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache

import duckdb

from .settings import REPO_ROOT
from .db import table_exists, transaction


@cache
def code_version() -> str:
    """A hash of every SQL model and Python module: an upgrade invalidates every fingerprint."""
    digest = hashlib.sha256()
    for path in sorted([*(REPO_ROOT / "pipelines").rglob("*.py"), *(REPO_ROOT / "sql").rglob("*.sql")]):
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(*parts: object) -> str:
    text = json.dumps([code_version(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def reusable(con: duckdb.DuckDBPyConnection, step: str, fp: str, table: str) -> dict | None:
    """The recorded detail when `step` last ran with fingerprint `fp` and `table` still exists."""
    row = con.execute("SELECT fingerprint, detail FROM build_log WHERE step = ?", [step]).fetchall()
    if row and row[0][0] == fp and table_exists(con, table):
        return json.loads(row[0][1])
    return None


def last_detail(con: duckdb.DuckDBPyConnection, step: str) -> dict | None:
    """What `step` recorded the last time it ran, whatever its fingerprint then."""
    row = con.execute("SELECT detail FROM build_log WHERE step = ?", [step]).fetchall()
    return json.loads(row[0][0]) if row else None


def record(con: duckdb.DuckDBPyConnection, step: str, fp: str, detail: dict) -> None:
    with transaction(con):
        con.execute("DELETE FROM build_log WHERE step = ?", [step])
        con.execute("INSERT INTO build_log VALUES (?, ?, ?)", [step, fp, json.dumps(detail, sort_keys=True)])


def forget(con: duckdb.DuckDBPyConnection, step: str) -> None:
    """Before rewriting a step's output: a crash halfway must not leave an old fingerprint behind."""
    with transaction(con):
        con.execute("DELETE FROM build_log WHERE step = ?", [step])
