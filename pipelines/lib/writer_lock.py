"""One writer at a time per DuckDB file, across processes, and a clear message while waiting.

DuckDB refuses a second process outright ("Could not set lock on file"), even a read-only one,
so two runs started together (a schedule tick and a manual backfill) would fail. Every
connection first takes an exclusive `flock` on `<database>.lock`; the kernel releases it when
the holder exits, even on kill -9, so a dead run never blocks the next one. The lock is
re-entrant inside a process: the `trustcard run` command holds it for the whole run, and
the connections its steps open pass straight through.
"""
from __future__ import annotations

import fcntl
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_TIMEOUT_S = 6 * 3600.0  # a long backfill may hold the database for hours
POLL_S = 0.2


class WriterLockTimeout(Exception):
    """Another process held the database for longer than we were willing to wait."""


class HeldForARun(Exception):
    """The database is held by a whole `trustcard run` (WHOLE_RUN), and the waiter gives way."""


# The holder a `trustcard run` names for its whole run (runner.run_months): its steps then claim
# the `duckdb` pool's one slot as they go, so a step of another run that waits for the file while
# holding that slot would wait for ever, and so would the command (review: both stood still).
WHOLE_RUN = re.compile(r"\btrustcard run \d{4}-\d\d\.\.\d{4}-\d\d$")


def whole_run_holder(first: date, last: date) -> str:
    """The holder a `trustcard run` of months first..last names: what WHOLE_RUN matches."""
    return f"trustcard run {first:%Y-%m}..{last:%Y-%m}"


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[Path, _Held] = {}
_guard = threading.RLock()


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def timeout_from_env() -> float:
    value = os.environ.get("TRUSTCARD_LOCK_TIMEOUT_S", "")
    try:
        return float(value) if value else DEFAULT_TIMEOUT_S
    except ValueError as exc:
        raise ValueError(f"TRUSTCARD_LOCK_TIMEOUT_S must be a number of seconds, got {value!r}") from exc


@contextmanager
def writer_lock(database: str | Path, holder: str = "", on_wait: Callable[[str], None] | None = None,
                timeout_s: float | None = None, give_way_to_runs: bool = False) -> Iterator[None]:
    """Hold the database's writer lock for the block; `on_wait` hears once who we wait for. With
    `give_way_to_runs`, HeldForARun instead of waiting for a whole `trustcard run`."""
    path = lock_path(Path(database).resolve())
    with _guard:
        if path in _held:
            _held[path].depth += 1
        else:
            _held[path] = _Held(_acquire(path, holder, on_wait, timeout_s, give_way_to_runs), 1)
    try:
        yield
    finally:
        with _guard:
            held = _held[path]
            held.depth -= 1
            if held.depth == 0:
                del _held[path]
                os.close(held.fd)  # closing the descriptor releases the flock


def _acquire(path: Path, holder: str, on_wait: Callable[[str], None] | None, timeout_s: float | None,
             give_way_to_runs: bool = False) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + (timeout_from_env() if timeout_s is None else timeout_s)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            other = _read_holder(fd)
            if give_way_to_runs and WHOLE_RUN.search(other):
                os.close(fd)
                raise HeldForARun(other) from None
            if on_wait and not told:
                on_wait(f"waiting for the database: {other or 'another process'} is writing it")
                told = True
            if time.monotonic() > deadline:
                os.close(fd)
                raise WriterLockTimeout(
                    f"{path.with_suffix('')} is still being written by {other or 'another process'}; "
                    "gave up waiting (TRUSTCARD_LOCK_TIMEOUT_S)") from None
            time.sleep(POLL_S)
    # Say who holds it, for whoever waits next.
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}{' ' + holder if holder else ''}\n".encode(), 0)
    return fd


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
