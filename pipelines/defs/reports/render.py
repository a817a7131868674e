"""HTML + print CSS -> PDF with WeasyPrint, safely and reproducibly.

Safety: templates autoescape everything from data, and the URL fetcher serves only the
project's own assets (reports/static, reports/fonts): a vendor named
`<img src="file:///etc/passwd">` prints as text and nothing outside those folders is read.
Reproducibility: creation dates and the PDF identifier come from the report month and name,
and SOURCE_DATE_EPOCH pins the font subsets, so two renders are byte-identical.
"""
from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ...lib.settings import REPO_ROOT
from ...lib.terminal import BIDI, CONTROLS, ESCAPED

REPORTS_ROOT = REPO_ROOT / "reports"
TEMPLATES = REPORTS_ROOT / "templates"
ALLOWED_ASSET_DIRS = (REPORTS_ROOT / "static", REPORTS_ROOT / "fonts")
STYLESHEET = REPORTS_ROOT / "static" / "report.css"


def _allowed_file(url: str) -> Path | None:
    """The local path of a file: URL inside the report assets, else None."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parsed.path)).resolve()
    return path if any(path.is_relative_to(d.resolve()) for d in ALLOWED_ASSET_DIRS) and path.is_file() else None


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class AssetsOnlyFetcher(URLFetcher):
        """Serve files under the report assets; refuse every other URL (file, http, data, ...)."""

        def __init__(self, log: list[str] | None = None):
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.log = log if log is not None else []

        def fetch(self, url, headers=None):
            self.log.append(url)
            if _allowed_file(url) is None:
                raise ValueError(f"refused: {url[:80]} is not a trustcard report asset")
            return super().fetch(url, headers)

    return AssetsOnlyFetcher


def assets_only_fetcher(log: list[str] | None = None):
    return _fetcher_class()(log)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: data is never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_inert,
    )
    env.filters.update(pct=_pct, num=_num, hours=_hours, signed=_signed, qty=_qty, name=display_name, days=_days)
    return env


NAME_LIMIT = 80
# Bidirectional controls are dropped: an unclosed right-to-left override in a vendor name reversed
# the report's own words after it ("trust scorecard"). Control characters (ESC, BEL, C1; not tab
# and line ends) print as their escapes, as on the terminal: a file named with ESC [2J shows so.
BIDI_CONTROLS = dict.fromkeys(BIDI)
CONTROL_ESCAPES = {c: ESCAPED[c] for c in CONTROLS if chr(c) != "\r"}


def _inert(value: object) -> object:
    """Every value printed by a template: data text loses its bidirectional controls and shows its
    control characters escaped (markup made by the report itself, such as a chart, is left as it is)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(BIDI_CONTROLS).translate(CONTROL_ESCAPES)
    return value



def display_name(value: str | None, limit: int = NAME_LIMIT) -> str | None:
    """A vendor, product or category name as the reports print it: whole up to `limit` characters, else cut
    with an ellipsis. The contract allows 10,000 characters of text; one such name printed whole
    turned a 4-page executive PDF into 11. The embedded CSV files keep the names whole."""
    if value is None or len(value) <= limit:
        return value
    return value[:limit - 1].rstrip() + "…"


def _pct(value: float | None, digits: int = 0) -> str:
    return "no data" if value is None else f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 0) -> str:
    return "no data" if value is None else f"{value:,.{digits}f}"


def _qty(value: float | None) -> str:
    """Quantities as the data gave them: whole numbers without a decimal point."""
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _hours(value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def _days(value: int) -> str:
    return f"{value} day" if value == 1 else f"{value} days"


def _signed(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


@dataclass(frozen=True)
class ReportJob:
    template: str
    context: dict
    pdf_path: Path
    html_path: Path | None
    title: str
    subject: str
    month: date
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, text) embedded in the PDF


def screen_css() -> str:
    """The stylesheet inlined in an HTML twin, without its @font-face rules: their URLs name the
    project's fonts relative to reports/static/, which a browser would look for beside the report
    (reports/out/...); the browser uses the fallback families instead (DejaVu Sans Condensed,
    sans-serif)."""
    return re.sub(r"@font-face\s*\{[^}]*\}\n?", "", STYLESHEET.read_text(encoding="utf-8"))


def render_html(template: str, context: dict, for_screen: bool = False) -> str:
    css = Markup(screen_css()) if for_screen else None
    return environment().get_template(template).render(**context, for_screen=for_screen, inline_css=css)


def _epoch(month: date) -> int:
    """The report's fixed timestamp: midnight UTC at the end of its month."""
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return int(datetime(end.year, end.month, end.day, tzinfo=timezone.utc).timestamp())


def _style(fetch_log: list[str] | None):
    """The stylesheet with its fonts loaded, shared by every render of a process (parsing it and
    loading the fonts cost about a third of a PDF); a fresh one when a test watches the fetcher."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    fetcher = assets_only_fetcher(fetch_log)
    return fonts, CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher), fetcher


_shared_style = cache(lambda: _style(None))
# Drop the shared fonts before interpreter shutdown, while WeasyPrint can still free them.
atexit.register(_shared_style.cache_clear)


def render_pdf(job: ReportJob, fetch_log: list[str] | None = None) -> Path:
    from weasyprint import HTML, Attachment

    os.environ["SOURCE_DATE_EPOCH"] = str(_epoch(job.month))
    html = render_html(job.template, {**job.context, "title": job.title, "subject": job.subject})
    fonts, stylesheet, fetcher = _style(fetch_log) if fetch_log is not None else _shared_style()
    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=fetcher)
    job.pdf_path.parent.mkdir(parents=True, exist_ok=True)
    identifier = hashlib.sha256(f"{job.pdf_path.name}|{job.month}".encode()).hexdigest()[:32].encode()
    # Dated like the report, not like the render: two renders stay byte-identical.
    stamp = datetime.fromtimestamp(_epoch(job.month), tz=timezone.utc)
    attachments = [Attachment(string=text.encode("utf-8"), name=name, description=name, created=stamp,
                              modified=stamp, relationship="Data") for name, text in job.attachments]
    with whole(job.pdf_path) as part:
        document.write_pdf(
            part, stylesheets=[stylesheet], font_config=fonts, attachments=attachments,
            pdf_variant="pdf/a-3u", pdf_tags=True, pdf_identifier=identifier,
        )
    if job.html_path is not None:
        with whole(job.html_path) as part:
            part.write_text(
                render_html(job.template, {**job.context, "title": job.title, "subject": job.subject}, for_screen=True),
                encoding="utf-8",
            )
    return job.pdf_path


@contextmanager
def whole(path: Path) -> Iterator[Path]:
    """A file written whole or not at all: written under a temporary name beside `path`, then
    renamed over it. A run killed while rendering leaves the last whole report (or none) under
    the report's name, never a truncated one that the mail would send; the temporary file (a
    hidden name, which no reader lists) is removed by the next render of that report."""
    part = path.with_name(f".{path.name}.part")
    try:
        yield part
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def render_all(jobs: list[ReportJob], workers: int | None = None) -> list[Path]:
    """Render PDFs in parallel processes (one per core by default); order of the result = order of jobs."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(jobs) <= 1:
        return [render_pdf(j) for j in jobs]
    # spawn, not fork: the parent holds threads (Dagster) and a database connection.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(render_pdf, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def render_standalone_html(template: str, context: dict, path: Path) -> Path:
    """A browser-only report (no PDF): the stylesheet inline, data escaped as everywhere."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with whole(path) as part:
        part.write_text(render_html(template, context, for_screen=True), encoding="utf-8")
    return path
