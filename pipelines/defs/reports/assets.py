"""Report assets: the executive PDF and one PDF per vendor (with HTML twins) for a month.

A run over a range of months renders the reports of its last month: a backfill rebuilds the
tables of every month, while the PDFs people read are the latest month's.
"""
import hashlib
import re
from functools import partial
from datetime import date
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from ...lib.duckdb_resource import DuckDBResource
from ...lib.months import add_months
from ...lib.partitions import monthly_partitions, single_run, window
from ...lib.resources import TrustcardSettings
from ..scorecard.model import load_model
from .context import data_quality_context, executive_context, month_label, vendor_context, vendors_of_month
from .render import ReportJob, render_all, render_pdf, render_standalone_html


# Every report asset: a month's reports, rendered after its scorecard.
report_asset = partial(
    asset, group_name="reports", deps=[AssetKey("scorecard")], partitions_def=monthly_partitions,
    backfill_policy=single_run,
)


def report_month(context: AssetExecutionContext) -> date:
    _, end = window(context)
    return add_months(end, -1)


def month_dir(reports_dir: Path, month: date) -> Path:
    return reports_dir / f"{month:%Y-%m}"


def safe_file_stem(vendor_id: str) -> str:
    """A file name for a vendor id from data: never a path, never a collision."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", vendor_id).strip("._")[:60] or "vendor"
    if readable == vendor_id:
        return readable
    return f"{readable}-{hashlib.sha256(vendor_id.encode()).hexdigest()[:8]}"


@report_asset(
    kinds={"pdf", "html"},
    description="The month's executive PDF: who improved, who slipped, who to worry about.",
)
def executive_report(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
    month = report_month(context)
    with duckdb.connect(read_only=False) as con:
        ctx = executive_context(con, month, load_model())
    out = month_dir(settings.reports, month)
    job = ReportJob("executive.html", ctx, out / "executive.pdf", out / "executive.html",
                    title=f"Vendor trust, {month_label(month)}", subject="trustcard executive summary", month=month)
    path = render_pdf(job)
    return MaterializeResult(metadata={"month": f"{month:%Y-%m}", "path": MetadataValue.path(str(path)),
                                       "bytes": path.stat().st_size})


@report_asset(
    kinds={"pdf", "html"},
    description="One scorecard PDF per vendor for the month, shareable with that vendor (no other vendor named).",
)
def vendor_reports(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
    month = report_month(context)
    model = load_model()
    out = month_dir(settings.reports, month) / "vendors"
    with duckdb.connect() as con:
        contexts = [vendor_context(con, v, month, model) for v in vendors_of_month(con, month)]
        idle = con.execute("SELECT count(*) FROM scorecard WHERE month = ? AND trust_score IS NULL",
                           [month]).fetchall()[0][0]
    jobs = [
        ReportJob("vendor.html", ctx, out / f"{safe_file_stem(ctx['vendor']['vendor_id'])}.pdf",
                  out / f"{safe_file_stem(ctx['vendor']['vendor_id'])}.html",
                  title=f"{ctx['vendor']['vendor_name']}: trust scorecard {month_label(month)}",
                  subject="trustcard vendor scorecard", month=month)
        for ctx in contexts
    ]
    paths = render_all(jobs)
    context.log.info(f"{len(paths)} vendor PDFs; {idle} vendors without data in 12 months get none")
    return MaterializeResult(metadata={"month": f"{month:%Y-%m}", "pdfs": len(paths),
                                       "vendors_without_data": idle, "folder": MetadataValue.path(str(out))})


@report_asset(
    kinds={"html"},
    description="The month's data-quality report for the data engineer: row balance, expectation results, quarantine.",
)
def data_quality_report(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
    month = report_month(context)
    with duckdb.connect() as con:
        ctx = data_quality_context(con, month)
    path = render_standalone_html("data_quality.html", {**ctx, "title": f"Data quality, {month_label(month)}"},
                                  month_dir(settings.reports, month) / "data-quality.html")
    failed = sum(1 for e in ctx["expectations"] if not e["passed"])
    return MaterializeResult(metadata={"month": f"{month:%Y-%m}", "path": MetadataValue.path(str(path)),
                                       "expectations_failed": failed,
                                       "rows_quarantined": sum(q["rows"] for q in ctx["quarantine"])})


report_assets = [executive_report, vendor_reports, data_quality_report]
