"""Ctrl-C and SIGTERM stop a run, even when DuckDB swallows them.

While a run executes, Dagster takes SIGINT (and SIGTERM, mapped to it): between steps it only
notes the signal, inside a step it raises in the step's Python code. But a signal that arrives
while DuckDB runs a query is handed to DuckDB, which interrupts the query or, when the query ends
first, drops it: a `trustcard run` sent SIGTERM (by `timeout`, systemd, docker) or Ctrl-C ran on to
the end and exited 0 (review). Python's C-level signal handler writes every signal to the wakeup
fd, whichever Python handler runs, so the fd keeps it for us: each write checks it before it
commits (`lib/db.transaction`), each step before it starts (`DuckDBResource.connect`), and the
runner after the run. Only `trustcard run` watches (the runner's block); runs the Dagster daemon
launches are stopped by Dagster's own executor, between steps.
"""
from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Failure

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_pipe: tuple[int, int] | None = None
_received: set[int] = set()


class RunInterrupted(Failure):
    """A stop signal arrived: the step stops, its write rolled back. A Failure that Dagster does
    not retry: the jobs' retry policy retried it, and a Ctrl-C took a minute to stop a run (review)."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message, allow_retries=False)

    def __str__(self) -> str:
        return self.description or ""


@contextmanager
def watching_for_interrupts() -> Iterator[None]:
    """Keep the stop signals that arrive in the block (main thread only; elsewhere: a no-op)."""
    global _pipe
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    try:
        previous = signal.set_wakeup_fd(write)
    except ValueError:  # not the main thread: signals are not delivered here anyway
        os.close(read)
        os.close(write)
        yield
        return
    _pipe = (read, write)
    _received.clear()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        _pipe = None
        _received.clear()  # a later block, or a write outside any, starts with none
        os.close(read)
        os.close(write)


def _drain() -> None:
    if _pipe is None:
        return
    try:
        while data := os.read(_pipe[0], 512):
            _received.update(data)
    except BlockingIOError:
        pass


def interrupt_received() -> str | None:
    """The name of the first stop signal received in the watched block (SIGINT, SIGTERM), or None."""
    _drain()
    for sig in STOP_SIGNALS:
        if sig in _received:
            return signal.Signals(sig).name
    return None


def stop_if_interrupted(where: str) -> None:
    """Raise RunInterrupted when a stop signal was received; `where` says what is not done."""
    sig = interrupt_received()
    if sig:
        raise RunInterrupted(f"interrupted by {sig}: {where}")
