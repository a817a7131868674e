"""A module imported in the background is imported once, off the main thread, and an import that
needs it meanwhile gets the same module."""
from __future__ import annotations

import importlib
import sys
import threading
import time
from pathlib import Path

import pytest

from pipelines.lib.background_import import import_in_background


def test_a_slow_module_is_imported_once_on_another_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "slow_module_for_test.py").write_text(
        "import threading, time\n"
        "IMPORTED_ON = threading.current_thread().name\n"
        "COUNT = globals().get('COUNT', 0) + 1\n"
        "time.sleep(0.5)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    started = time.perf_counter()
    import_in_background("slow_module_for_test")
    import_in_background("slow_module_for_test")  # a second call starts nothing
    assert time.perf_counter() - started < 0.4  # the caller did not wait for the import
    module = importlib.import_module("slow_module_for_test")  # waits for the one under way
    assert module.IMPORTED_ON != threading.main_thread().name and module.IMPORTED_ON.startswith("import ")
    assert module.COUNT == 1
    del sys.modules["slow_module_for_test"]


def test_a_module_that_fails_to_import_fails_where_it_is_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "broken_module_for_test.py").write_text("raise RuntimeError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import_in_background("broken_module_for_test")
    time.sleep(0.2)
    with pytest.raises(RuntimeError, match="broken on purpose"):
        importlib.import_module("broken_module_for_test")
