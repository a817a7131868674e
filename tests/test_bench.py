"""The scale benchmark's code path, end to end at the tiny `ci` scale (no timing assertions).

`make bench` runs bench/scale_bench.py at 10M deliveries; here the same script generates the `ci`
data set (20k deliveries, 2k complaints, about 400 announcement events, 50 vendors, with contract
violations), runs the floor, the pandas peer and trustcard's 24-month backfill through Dagster, checks
that the three agree per vendor and month, and prints the summary line, which is parsed. The
one-month rerun and the PDFs are left out to keep it short
(`python bench/scale_bench.py --scale ci` runs them too).
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import scale_data  # noqa: E402

SUMMARY = re.compile(r"bench: floor=(\S+) trustcard=(\S+) pandas=(\S+) month_rerun=(\S+) peak_gib=(\S+) "
                     r"pdf_per_s=(\S+) pdf_speedup=(\S+)")


def test_scale_data_is_deterministic_and_breaks_the_contract_on_purpose(tmp_path):
    first = scale_data.generate(tmp_path / "a", "ci", seed=3, log=lambda *_: None)
    second = scale_data.generate(tmp_path / "b", "ci", seed=3, log=lambda *_: None)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
                   and p.name != "manifest.json")
    assert len([f for f in files if f.parts[0] == "deliveries"]) == 24  # one file per month: per-month reads
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert first["rows"] == second["rows"] and first["rows"]["vendors"] == 50
    assert first["rows"]["deliveries"] >= 20_000  # plus the duplicated and conflicting copies
    assert all(n >= scale_data.MIN_VIOLATIONS for faults in first["faults"].values() for n in faults.values())
    scale_data.generate(tmp_path / "c", "ci", seed=4, log=lambda *_: None)
    assert (tmp_path / "c" / files[0]).read_bytes() != (tmp_path / "a" / files[0]).read_bytes()  # the seed matters


def test_bench_runs_end_to_end_and_the_three_agree(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTCARD_", "DAGSTER_HOME"))}
    report = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "scale_bench.py"), "--scale", "ci", "--data-dir", str(tmp_path / "bench"),
         "--repeat", "1", "--skip", "rerun", "--pdf-sample", "0", "--json", str(report)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    match = SUMMARY.fullmatch(lines[-1])  # the last line, exactly in the form
    assert match, lines[-1]
    floor, trustcard, pandas, rerun, peak_gib, pdf_per_s, pdf_speedup = map(float, match.groups())
    assert floor == 1.0
    assert trustcard > 0 and pandas > 0 and peak_gib > 0
    assert math.isnan(rerun) and math.isnan(pdf_per_s) and math.isnan(pdf_speedup)  # left out here

    data = json.loads(report.read_text())
    vendor_months = 50 * 24
    for other in ("pandas", "floor"):
        agreement = data["agreement"][other]
        assert agreement["mismatches"] == 0, agreement["details"]
        assert agreement["rows"] == vendor_months
        assert f"agreement {other} vs trustcard: 0 mismatching vendor-months of {vendor_months:,}" in proc.stdout
    backfill = data["results"]["backfill"]
    assert backfill["ok"] and set(backfill["stages"]) == {"staging", "validation", "metrics", "scorecard"}
    assert all(backfill["stages"][s] > 0 for s in backfill["stages"])
    assert len(backfill["steps"]) == 4 + 4 + 3 + 1  # staged_*, validated, metrics, scorecard: read from the event log
    # The suites written as SQL read the JSON suites (conditions included) and flag only quarantined rows.
    checks = data["results"]["checks"]
    assert checks["ok"] and set(checks["feeds"]) == {"vendors", "deliveries", "complaints", "announcements"}
    assert all(f["not_quarantined"] == 0 for f in checks["feeds"].values())
    assert checks["feeds"]["announcements"]["flagged"]["announced and revised events carry a promised_ship_date"] > 0
    # The late-data sensor's digests were timed over the same landing folder: every feed's months.
    sensor = data["results"]["sensor"]
    assert sensor["ok"] and sensor["months"] >= 3 * 24 and sensor["first_s"] > sensor["deliveries_s"] > 0
    assert "late-data sensor: digests of the landing folder" in proc.stdout
    # The violations were there, and trustcard quarantined some of every feed's rows.
    assert all(backfill["quarantine"].get(feed, 0) > 0 for feed in ("deliveries", "complaints", "announcements"))
