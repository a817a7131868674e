"""How fast are the PDFs? Renders every vendor PDF of one month of the demo data, serially and
in parallel across the machine's cores, and prints per-PDF time and the speed-up.

    python bench/pdf_bench.py [--months 13]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from pipelines.defs.ingest.feeds import ALL_FEEDS
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.validate import validate_feed
from pipelines.defs.reports.assets import safe_file_stem
from pipelines.defs.reports.context import executive_context, vendor_context, vendors_of_month
from pipelines.defs.reports.render import ReportJob, render_all, render_pdf
from pipelines.defs.scorecard.build import METRIC_MODELS, build_metric, build_scorecard
from pipelines.defs.scorecard.model import load_model
from pipelines.lib.duckdb_resource import open_database
from pipelines.lib.months import ALL_MONTHS, add_months
from pipelines.sample_data import generate

MONTH = date(2026, 10, 1)


def build_database(tmp: Path, months: int) -> Path:
    landing, db = tmp / "landing", tmp / "bench.duckdb"
    generate(landing, MONTH, months=months)
    con = open_database(db)
    for feed in ALL_FEEDS:
        stage_feed(con, landing, feed, *ALL_MONTHS)
        validate_feed(con, feed, *ALL_MONTHS, date(2026, 11, 26), "bench")
    start, end = add_months(MONTH, -(months - 1)), add_months(MONTH, 1)
    for model in METRIC_MODELS:
        build_metric(con, model, start, end, load_model())
    build_scorecard(con, start, end, load_model())
    con.close()
    return db


def vendor_jobs(db: Path, out: Path) -> list[ReportJob]:
    con = open_database(db, read_only=True)
    model = load_model()
    contexts = [vendor_context(con, v, MONTH, model) for v in vendors_of_month(con, MONTH)]
    con.close()
    return [ReportJob("vendor.html", c, out / f"{safe_file_stem(c['vendor']['vendor_id'])}.pdf", None,
                      title=c["vendor"]["vendor_name"], subject="bench", month=MONTH) for c in contexts]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_database(Path(tmp), args.months)
        con = open_database(db, read_only=True)
        t = time.perf_counter()
        exec_job = ReportJob("executive.html", executive_context(con, MONTH, load_model()), Path(tmp) / "executive.pdf",
                             None, title="executive", subject="bench", month=MONTH)
        con.close()
        render_pdf(exec_job)
        t_exec = time.perf_counter() - t
        jobs = vendor_jobs(db, Path(tmp) / "serial")
        render_pdf(jobs[0])  # warm fonts and templates, as a long run would be
        t = time.perf_counter()
        render_all(jobs, workers=1)
        t_serial = time.perf_counter() - t
        jobs = vendor_jobs(db, Path(tmp) / "parallel")
        t = time.perf_counter()
        render_all(jobs)
        t_parallel = time.perf_counter() - t
    n, cores = len(jobs), os.cpu_count() or 1
    print(f"pdf bench: {n} vendor PDFs of {MONTH:%Y-%m} (demo data), {cores} cores")
    print(f"{'render':<36}{'seconds':>9}{'s / PDF':>9}{'PDF / s':>9}")
    print(f"{'executive PDF':<36}{t_exec:>9.2f}{t_exec:>9.2f}{1 / t_exec:>9.2f}")
    print(f"{'vendor PDFs, serial':<36}{t_serial:>9.2f}{t_serial / n:>9.2f}{n / t_serial:>9.2f}")
    print(f"{'vendor PDFs, parallel (' + str(cores) + ' processes)':<36}{t_parallel:>9.2f}{t_parallel / n:>9.2f}{n / t_parallel:>9.2f}")
    print(f"bench: pdf_per_s={n / t_parallel:.2f} pdf_serial_per_s={n / t_serial:.2f} pdf_speedup={t_serial / t_parallel:.2f}")


if __name__ == "__main__":
    main()
