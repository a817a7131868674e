"""A module imported in the background is imported once, off the main thread, and an import that
needs it meanwhile gets the same module."""
from __future__ import annotations

import importlib
import sys
import threading
import time
from pathlib import Path

import pytest

from pipelines.lib.background_import import finish, import_in_background


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



def test_an_import_racing_the_background_one_can_get_a_half_made_module(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    # Why `finish` exists. CI: a small run's validation imported Great Expectations while the
    # background import was under way: "partially initialized module 'sqlalchemy.orm.exc' has no
    # attribute ...". Two modules that import each other, taken by two threads in opposite order:
    # Python breaks the lock cycle by handing one thread the other's half-made module.
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "racing_pkg").mkdir()
    (tmp_path / "racing_pkg" / "__init__.py").write_text("")
    (tmp_path / "racing_pkg" / "a.py").write_text("import time\ntime.sleep(0.4)\nfrom racing_pkg import b\nX = 1\n")
    (tmp_path / "racing_pkg" / "b.py").write_text("import time\ntime.sleep(0.6)\nfrom racing_pkg import a\nY = a.X + 1\n")
    import_in_background("racing_pkg.a")
    time.sleep(0.1)
    with pytest.raises(AttributeError, match="partially initialized module"):
        importlib.import_module("racing_pkg.b")
    finish("racing_pkg.a")  # the background thread still imports: let it end before cleaning up after it
    for name in [m for m in list(sys.modules) if m.startswith("racing_pkg")]:
        del sys.modules[name]


def test_finish_waits_for_the_background_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "finished_module_for_test.py").write_text(
        "import threading, time\ntime.sleep(0.5)\nIMPORTED_ON = threading.current_thread().name\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    finish("finished_module_for_test")  # never started: returns at once
    started = time.perf_counter()
    import_in_background("finished_module_for_test")
    finish("finished_module_for_test")
    assert time.perf_counter() - started >= 0.45
    module = sys.modules["finished_module_for_test"]  # whole, made by the background thread
    assert module.IMPORTED_ON.startswith("import ")
    del sys.modules["finished_module_for_test"]
