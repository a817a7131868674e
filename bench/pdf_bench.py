"""How fast are the PDFs? Renders every vendor PDF of one month of the demo data, serially and
in parallel across the machine's cores, and prints per-PDF time and the speed-up.

    python bench/pdf_bench.py [--months 13]

`measure()` is shared with bench/scale_bench.py, which times one month's PDFs of the scale data.
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from pipelines.defs.ingest.feeds import ALL_FEEDS
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.validate import validate_feed
from pipelines.defs.reports.assets import safe_file_stem
from pipelines.defs.reports.context import executive_context, vendor_context
from pipelines.defs.reports.evidence import evidence_files, executive_files
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


def executive_job(db: Path, out: Path, month: date = MONTH) -> tuple[ReportJob, int]:
    """The month's executive PDF job, and how many vendors its table lists."""
    con = open_database(db, read_only=True)
    try:
        ctx = executive_context(con, month, load_model())
    finally:
        con.close()
    vendors = sum(len(c["vendors"]) for c in ctx["categories"])
    return ReportJob("executive.html", ctx, out / "executive.pdf", None, title="executive", subject="bench",
                     month=month, attachments=executive_files(month, ctx["categories"])), vendors


def scored_vendors(con, month: date) -> list[str]:
    """Vendors with a trust score in the month: the ones that get a PDF."""
    return [r[0] for r in con.execute(
        "SELECT vendor_id FROM scorecard WHERE month = ? AND trust_score IS NOT NULL ORDER BY vendor_id",
        [month]).fetchall()]


def vendor_jobs(db: Path, out: Path, month: date = MONTH, sample: int | None = None) -> list[ReportJob]:
    """Vendor PDF jobs of the month: every vendor with a score, or `sample` of them spread evenly
    over the sorted list (small and large, every category)."""
    con = open_database(db, read_only=True)
    model = load_model()
    try:
        vendors = scored_vendors(con, month)
        if sample is not None and sample < len(vendors):
            vendors = [vendors[round(i * (len(vendors) - 1) / max(sample - 1, 1))] for i in range(sample)]
        contexts = [vendor_context(con, v, month, model) for v in vendors]
    finally:
        con.close()
    # As the product renders them: with the month's records embedded as CSV.
    return [ReportJob("vendor.html", c, out / f"{safe_file_stem(c['vendor']['vendor_id'])}.pdf", None,
                      title=c["vendor"]["vendor_name"], subject="bench", month=month,
                      attachments=evidence_files(safe_file_stem(c["vendor"]["vendor_id"]), month,
                                                 c["late_deliveries"], c["all_complaints"]))
            for c in contexts]


def measure(db: Path, out: Path, month: date = MONTH, sample: int | None = None, workers: int | None = None) -> dict:
    """Time the month's executive PDF, the vendor contexts, and the vendor PDFs serially (after one
    warm-up render, as a long run would be) and in parallel across the cores."""
    workers = workers or os.cpu_count() or 1
    t = time.perf_counter()
    exec_job, exec_vendors = executive_job(db, out, month)
    render_pdf(exec_job)
    t_exec = time.perf_counter() - t
    t = time.perf_counter()
    jobs = vendor_jobs(db, out / "serial", month, sample)
    t_contexts = time.perf_counter() - t
    render_pdf(jobs[0])  # warm fonts and templates
    t = time.perf_counter()
    render_all(jobs, workers=1)
    t_serial = time.perf_counter() - t
    jobs = [replace(j, pdf_path=out / "parallel" / j.pdf_path.name) for j in jobs]
    t = time.perf_counter()
    render_all(jobs, workers=workers)
    t_parallel = time.perf_counter() - t
    return {"month": f"{month:%Y-%m}", "pdfs": len(jobs), "workers": workers, "executive_s": t_exec,
            "executive_vendors": exec_vendors, "executive_pages": _pages(exec_job.pdf_path), "contexts_s": t_contexts,
            "serial_s": t_serial, "parallel_s": t_parallel, "pdf_per_s": len(jobs) / t_parallel,
            "speedup": t_serial / t_parallel}


def _pages(pdf: Path) -> int | None:
    """Page count of a PDF (pypdf when installed, else counting /Type /Page objects; None if unsure)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes())) or None
    return len(PdfReader(pdf).pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_database(Path(tmp), args.months)
        r = measure(db, Path(tmp), MONTH)
    n, cores = r["pdfs"], r["workers"]
    t_exec, t_serial, t_parallel = r["executive_s"], r["serial_s"], r["parallel_s"]
    print(f"pdf bench: {n} vendor PDFs of {MONTH:%Y-%m} (demo data), {cores} cores")
    print(f"{'render':<36}{'seconds':>9}{'s / PDF':>9}{'PDF / s':>9}")
    print(f"{'executive PDF':<36}{t_exec:>9.2f}{t_exec:>9.2f}{1 / t_exec:>9.2f}")
    print(f"{'vendor PDFs, serial':<36}{t_serial:>9.2f}{t_serial / n:>9.2f}{n / t_serial:>9.2f}")
    print(f"{'vendor PDFs, parallel (' + str(cores) + ' processes)':<36}{t_parallel:>9.2f}{t_parallel / n:>9.2f}{n / t_parallel:>9.2f}")
    print(f"bench: pdf_per_s={n / t_parallel:.2f} pdf_serial_per_s={n / t_serial:.2f} pdf_speedup={t_serial / t_parallel:.2f}")


if __name__ == "__main__":
    main()
