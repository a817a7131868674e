"""The DuckDB database behind every table, as a Dagster resource.

DuckDB allows one writing process per file, so connections are opened per step and
always closed, each under the file's writer lock (see writer_lock.py); nothing opens the
database at import time.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, Failure, RetryRequested, get_dagster_logger
from dagster._core.errors import DagsterExecutionInterruptedError

from .interrupts import RunInterrupted, interrupt_received, stop_if_interrupted
from .settings import duckdb_memory_limit_from_env
from .writer_lock import HeldForARun, timeout_from_env, writer_lock

GIVE_WAY_S = 15.0  # how long a step that gave way to a `trustcard run` waits before it tries again


def open_database(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "Could not set lock" not in str(exc):
            raise
        # Another program (not a trustcard run: those wait for the writer lock) has the file open.
        # A Failure that may be retried: the program may close it meanwhile (README, "Concurrency").
        holder = str(exc).split("Conflicting lock is held in ")[-1].split(". See also")[0] if "held in" in str(exc) else ""
        raise Failure(description=f"{path}: another program has the database open{' (' + holder + ')' if holder else ''}; "
                                  "close its connection, or let it read a copy of the file, then rerun") from exc
    # Every timestamp is stored and compared in UTC (the contract: no offset = UTC).
    con.execute("SET TimeZone = 'UTC'")
    # Checked against a strict pattern: SET takes no parameters.
    con.execute(f"SET memory_limit = '{duckdb_memory_limit_from_env()}'")
    return con


class DuckDBResource(ConfigurableResource):
    database: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        stop_if_interrupted("the step did not start")  # a signal DuckDB took in an earlier step
        # Readers take the lock too: DuckDB refuses even a read-only open while another process writes.
        with ExitStack() as held:
            try:
                held.enter_context(writer_lock(self.database, holder=f"(a {'reading' if read_only else 'writing'} step)",
                                               on_wait=get_dagster_logger().info, give_way_to_runs=True))
            except HeldForARun as exc:
                # This step holds the `duckdb` pool's slot, which the command's own steps need:
                # waiting here would stop both runs. Give the slot back and try again later
                # (RetryRequested ends this attempt; Dagster frees the slot and queues the step anew).
                get_dagster_logger().info(f"the database is held by {exc} for its whole run: this step gives way "
                                          f"and tries again in {GIVE_WAY_S:g} s")
                raise RetryRequested(max_retries=int(timeout_from_env() // GIVE_WAY_S) + 1,
                                     seconds_to_wait=GIVE_WAY_S) from exc
            con = open_database(self.database, read_only=read_only)
            try:
                yield con
            except (duckdb.InterruptException, DagsterExecutionInterruptedError) as exc:
                # The signal met a query (DuckDB's exception) or the step's Python (Dagster's): stop,
                # without the jobs' retries, which retried both
                raise RunInterrupted(f"interrupted by {interrupt_received() or 'a signal'}: the step stopped") from exc
            finally:
                con.close()
