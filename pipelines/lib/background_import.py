"""Import a slow module on a background thread while the run does native work.

Great Expectations takes seconds to import (the first suite of a run paid for it). Staging spends
its time in DuckDB and Polars, which release the GIL, so the import can overlap it: by the time
validation runs its first suite the module is there.

The import must be finished before anything else imports the same packages: Python's import locks
do not make a second thread wait out a package's circular imports, and a run whose validation
began while the import was under way failed with "partially initialized module
'sqlalchemy.orm.exc'". So the step that starts it waits for it before it ends (`finish`), and so
does any code about to import the module.
"""
from __future__ import annotations

import importlib
import sys
import threading

_started: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def import_in_background(module: str) -> None:
    """Start importing `module` on a daemon thread, once per process; a failure is left for the
    import that needs the module to raise (with its own message)."""
    with _lock:
        if module in sys.modules or module in _started:
            return
        thread = threading.Thread(target=_quietly_import, args=(module,), name=f"import {module}", daemon=True)
        _started[module] = thread
    thread.start()


def finish(module: str) -> None:
    """Wait until a background import of `module` (if one was started) has ended."""
    with _lock:
        thread = _started.get(module)
    if thread is not None:
        thread.join()


def _quietly_import(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 - the caller's own import reports it
        pass
