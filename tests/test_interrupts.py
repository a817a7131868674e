"""A stop signal that DuckDB swallows still stops the write it arrived in."""
from __future__ import annotations

import os
import signal

import duckdb
import pytest

from pipelines.lib.db import transaction
from pipelines.lib.interrupts import RunInterrupted, interrupt_received, watching_for_interrupts


@pytest.fixture
def swallowing_sigterm():
    # What DuckDB does to a signal that arrives while its query runs and ends first: the Python
    # handler's exception is dropped, and nothing is raised.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_a_swallowed_sigterm_rolls_back_the_write_and_is_named(tmp_path, swallowing_sigterm):
    con = duckdb.connect(str(tmp_path / "i.duckdb"))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with watching_for_interrupts():
        with transaction(con, "t"):
            con.execute("INSERT INTO t VALUES (2)")  # written before the signal, committed
        assert interrupt_received() is None
        with pytest.raises(RunInterrupted, match="interrupted by SIGTERM: the write of t was rolled back"):
            with transaction(con, "t"):
                con.execute("INSERT INTO t VALUES (3)")
                os.kill(os.getpid(), signal.SIGTERM)
                con.execute("INSERT INTO t VALUES (4)")  # the handler returned: nothing raised here
        assert interrupt_received() == "SIGTERM"
    assert con.execute("SELECT list(x ORDER BY x) FROM t").fetchone()[0] == [1, 2]


def test_outside_a_watched_block_no_signal_is_remembered(tmp_path, swallowing_sigterm):
    with watching_for_interrupts():
        pass
    os.kill(os.getpid(), signal.SIGTERM)
    con = duckdb.connect(str(tmp_path / "j.duckdb"))
    with watching_for_interrupts():
        with transaction(con):
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1
