"""Report assets: the executive PDF and one PDF per vendor (with HTML twins), month by month.

A run over a range of months renders the executive summary and the data-quality page of every
month in it (the history a backfill rebuilds), each vendor's scorecard for the range's last
month, and, for a vendor silent by then, its scorecard for the last month it had a score: every
vendor with data in the range gets its latest PDF, without a PDF per vendor and month.
"""
import hashlib
import re
from functools import partial
from datetime import date
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from ...lib.duckdb_resource import DuckDBResource
from ...lib.months import add_months, months_between
from ...lib.partitions import monthly_partitions, single_run, window
from ...lib.resources import TrustcardSettings
from ..scorecard.model import load_model
from .context import data_quality_context, executive_context, latest_scored_months, month_label, vendor_context
from .evidence import evidence_files, executive_files
from .render import ReportJob, display_name, render_all, render_standalone_html


# Every report asset: a month's reports, rendered after its scorecard.
report_asset = partial(
    asset, group_name="reports", deps=[AssetKey("scorecard")], partitions_def=monthly_partitions,
    backfill_policy=single_run,
)


def report_month(context: AssetExecutionContext) -> date:
    """The run's last month: the one whose reports are mailed."""
    _, end = window(context)
    return add_months(end, -1)


def report_months(context: AssetExecutionContext) -> list[date]:
    start, end = window(context)
    return months_between(start, add_months(end, -1))


def month_dir(reports_dir: Path, month: date) -> Path:
    return reports_dir / f"{month:%Y-%m}"


# Names Windows keeps for devices, whatever the case or extension ('con.pdf' cannot be written there).
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(vendor_id: str) -> str:
    """A file name for a vendor id from data: never a path, never a collision, on any file system.
    An id of capital letters, digits, '.', '_' and '-' (not leading) is its own name; any other is
    made readable and gets its hash after a '~', which no id kept as it is can hold (else the id
    'a_b-c8687a08' would take the file of 'a b'). Review: 'abc' and 'ABC' are one file on macOS,
    Windows and in a zip opened there, 'CON' is a device on Windows, and '-rf.pdf' an option to rm."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", vendor_id).strip("._-")[:60] or "vendor"
    if readable == vendor_id and not any(c.islower() for c in vendor_id) \
            and readable.split(".")[0].upper() not in WINDOWS_DEVICES:
        return readable
    return f"{readable}~{hashlib.sha256(vendor_id.encode()).hexdigest()[:8]}"


# A path that cannot become the file or folder a report needs does not mend itself in a minute.
PERMANENT_OS_ERRORS = (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError)


def _written(write, *args):
    """`write(*args)`, with a path the reports cannot be written to failing the step at once,
    named, instead of after the jobs' retries as a bare exception (review: a file where the
    month's vendors/ folder goes took a minute and printed '[Errno 17] File exists')."""
    try:
        return write(*args)
    except PERMANENT_OS_ERRORS as exc:
        raise Failure(description=f"{exc.filename}: {exc.strerror}: the report cannot be written there "
                                  "(TRUSTCARD_REPORTS_DIR); move what is in the way or fix its permissions",
                      allow_retries=False) from exc


def vendor_report_path(reports_dir: Path, month: date, vendor_id: str) -> Path:
    """Where a vendor's PDF of a month goes. The suffix is appended, never substituted: a vendor
    id with a dot ('acme.co') must not land on another vendor's file ('acme.pdf')."""
    return month_dir(reports_dir, month) / "vendors" / f"{safe_file_stem(vendor_id)}.pdf"


@report_asset(
    kinds={"pdf", "html"},
    description="The month's executive PDF: who improved, who slipped, who to worry about.",
)
def executive_report(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
    months = report_months(context)
    with duckdb.connect() as con:
        contexts = [executive_context(con, month, load_model()) for month in months]
    jobs = [
        ReportJob("executive.html", ctx, month_dir(settings.reports, ctx["month"]) / "executive.pdf",
                  month_dir(settings.reports, ctx["month"]) / "executive.html",
                  title=f"Vendor trust, {month_label(ctx['month'])}", subject="trustcard executive summary",
                  month=ctx["month"], attachments=executive_files(ctx["month"], ctx["categories"]))
        for ctx in contexts
    ]
    paths = _written(render_all, jobs)
    return MaterializeResult(metadata={"months": f"{months[0]:%Y-%m}..{months[-1]:%Y-%m}", "pdfs": len(paths),
                                       "path": MetadataValue.path(str(paths[-1])),
                                       "bytes": paths[-1].stat().st_size})


@report_asset(
    kinds={"pdf", "html"},
    description="One scorecard PDF per vendor for the month, shareable with that vendor (no other vendor named).",
)
def vendor_reports(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
    months = report_months(context)
    model = load_model()
    with duckdb.connect() as con:
        latest = latest_scored_months(con, months[0], months[-1])
        contexts = [vendor_context(con, vendor, month, model, settings.as_of_date) for vendor, month in latest]
        idle = con.execute("SELECT count(*) FROM scorecard WHERE month = ? AND trust_score IS NULL",
                           [months[-1]]).fetchall()[0][0]
    jobs = [_vendor_job(ctx, settings.reports) for ctx in contexts]
    removed = _remove_stale(month_dir(settings.reports, months[-1]) / "vendors", jobs)
    paths = _written(render_all, jobs)
    earlier = sum(1 for _, month in latest if month != months[-1])
    context.log.info(f"{len(paths)} vendor PDFs ({earlier} for a vendor's last scored month before "
                     f"{months[-1]:%Y-%m}); {idle} vendors without data in 12 months get none for {months[-1]:%Y-%m}"
                     + (f"; removed {len(removed)} left by an earlier run: {', '.join(removed)}" if removed else ""))
    return MaterializeResult(metadata={"month": f"{months[-1]:%Y-%m}", "pdfs": len(paths), "stale_removed": len(removed),
                                       "pdfs_for_earlier_months": earlier, "vendors_without_data": idle,
                                       "folder": MetadataValue.path(str(month_dir(settings.reports, months[-1]) / "vendors"))})


def _remove_stale(folder: Path, jobs: list[ReportJob]) -> list[str]:
    """Remove the month's vendor PDFs and HTML twins that this run does not write (a vendor no
    longer in the list, or without a score now): the folder then holds what a fresh run would,
    and nobody shares a scorecard the data no longer supports."""
    if not folder.is_dir():
        return []
    keep = {p for job in jobs for p in (job.pdf_path, job.html_path)}
    stale = sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".html") and p not in keep)
    for path in stale:
        path.unlink()
    return [p.name for p in stale]


def _vendor_job(ctx: dict, reports_dir: Path) -> ReportJob:
    month, vendor = ctx["month"], ctx["vendor"]
    pdf = vendor_report_path(reports_dir, month, vendor["vendor_id"])
    return ReportJob("vendor.html", ctx, pdf, pdf.parent / f"{pdf.stem}.html",
                     # one line: a name's line ends and tabs went raw into the PDF's Title (review)
                     title=f"{' '.join(display_name(vendor['vendor_name']).split())}: trust scorecard {month_label(month)}",
                     subject="trustcard vendor scorecard", month=month,
                     attachments=evidence_files(pdf.stem, month, ctx["late_deliveries"], ctx["all_complaints"]))


@report_asset(
    kinds={"html"},
    description="The month's data-quality report for the data engineer: row balance, expectation results, quarantine.",
)
def data_quality_report(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
    failed = quarantined = 0
    with duckdb.connect() as con:
        for month in report_months(context):
            ctx = data_quality_context(con, month)
            path = _written(render_standalone_html, "data_quality.html",
                            {**ctx, "title": f"Data quality, {month_label(month)}"},
                            month_dir(settings.reports, month) / "data-quality.html")
            failed = sum(1 for e in ctx["expectations"] if not e["passed"])
            quarantined = sum(q["rows"] for q in ctx["quarantine"])
    # The figures of the last month, the one people read first. An expectation that flagged rows
    # sent them to quarantine (a flagged row validation kept fails the contract_suite check and is
    # named in a warning of the validation step): not a failed run.
    return MaterializeResult(metadata={"month": f"{month:%Y-%m}", "path": MetadataValue.path(str(path)),
                                       "expectations_flagging_rows": failed, "rows_quarantined": quarantined})


report_assets = [executive_report, vendor_reports, data_quality_report]
