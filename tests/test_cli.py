"""The `trustcard` command as a user meets it: month ranges, one-line errors, imports."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pipelines.lib.months import last_complete_month
from pipelines.runner import RunError, parse_months

FIXTURES = Path(__file__).parent / "fixtures" / "real"
TRUSTCARD = [sys.executable, "-m", "pipelines.cli"]


def test_month_ranges():
    assert parse_months("2025-11..2026-10") == (date(2025, 11, 1), date(2026, 10, 1))
    assert parse_months("2026-10") == (date(2026, 10, 1), date(2026, 10, 1))
    assert parse_months("2006-01..") == (date(2006, 1, 1), last_complete_month())
    assert parse_months(None) == (last_complete_month(), last_complete_month())
    with pytest.raises(RunError):
        parse_months("2026-10..2026-01")
    with pytest.raises(ValueError):
        parse_months("October")
    assert parse_months("2026-03-01") == (date(2026, 3, 1), date(2026, 3, 1))  # a partition key
    for typo in ("2026-0399", "2026-03-15", "2026-03..2026-1O"):  # never read as some nearby month
        with pytest.raises(ValueError, match="not a month"):
            parse_months(typo)


def test_a_month_not_yet_complete_is_a_one_line_error(tmp_path: Path):
    future = date.today().replace(day=1).strftime("%Y-%m")
    done = subprocess.run(TRUSTCARD + ["run", "--months", future], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(tmp_path), "TRUSTCARD_FIRST_MONTH": "2020-01"})
    assert done.returncode == 1
    assert "not a complete month yet" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_import_reports_counts_that_reconcile(tmp_path: Path):
    source = next(FIXTURES.glob("*scms*"))
    done = subprocess.run(TRUSTCARD + ["import", "scms", str(source), "--to", str(tmp_path / "landing")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    rows_in, landed, unmappable = (int(w) for w in first.replace(",", "").split() if w.isdigit())
    assert rows_in == landed + unmappable
    assert (tmp_path / "landing" / "deliveries" / "scms.csv").is_file()
    assert (tmp_path / "landing" / "vendors.csv").is_file()
