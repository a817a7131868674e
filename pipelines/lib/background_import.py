"""Import a slow module on a background thread while the run does native work.

Great Expectations takes seconds to import (the first suite of a run paid for it). Staging spends
its time in DuckDB and Polars, which release the GIL, so the import can overlap it: by the time
validation runs its first suite the module is there. Python's import locks make the later
`import` wait for a background import still under way, never import twice.
"""
from __future__ import annotations

import importlib
import sys
import threading

_started: set[str] = set()
_lock = threading.Lock()


def import_in_background(module: str) -> None:
    """Start importing `module` on a daemon thread, once per process; a failure is left for the
    import that needs the module to raise (with its own message)."""
    with _lock:
        if module in sys.modules or module in _started:
            return
        _started.add(module)
    threading.Thread(target=_quietly_import, args=(module,), name=f"import {module}", daemon=True).start()


def _quietly_import(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 - the caller's own import reports it
        pass
