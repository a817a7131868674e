"""Reports: real PDFs rendered through the Dagster job, opened with pypdf and checked for what matters."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import run_months
from pipelines.defs.reports.assets import safe_file_stem
from pipelines.defs.reports.render import ALLOWED_ASSET_DIRS, ReportJob, _allowed_file, render_pdf

HOSTILE = '<img src="file:///etc/passwd"> & "Co"'
MONTH = date(2026, 9, 1)


def _landing(landing) -> None:
    landing.vendors([
        ["V1", "Acme Packaging", "packaging", "false", "a@acme.example"],
        ["V2", HOSTILE, "packaging", "false", ""],
        ["V3", "Quiet Widgets", "packaging", "", ""],
        ["US", "Our Company", "packaging", "true", ""],
    ])
    rows = []
    for i in range(12):
        rows.append([f"A{i}", "V1", "2026-09-10", "2026-09-10" if i < 10 else "2026-09-14", "10", "", "", "100"])
        rows.append([f"H{i}", "V2", "2026-09-12", "2026-09-20" if i < 6 else "", "5", "", "", "50"])
    rows.append(["U1", "US", "2026-09-05", "2026-09-05", "1", "", "", ""])
    landing.deliveries(rows)
    landing.complaints([
        ["C1", "V2", "2026-09-13T10:00:00Z", "", "", "", "high", "late delivery", "customer", "", "", "",
         "<script>alert(1)</script> see file:///etc/shadow"],
    ])
    landing.announcements([
        ["N1", "V1", "Widget <b>Pro</b>", "announced", "2026-01-05", "2026-09-01", "true"],
        ["N1", "V1", "", "revised", "2026-08-20", "2026-12-01", ""],
    ])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import Landing

    root = tmp_path_factory.mktemp("reports")
    landing = Landing(root / "landing")
    _landing(landing)
    result = run_months(landing.root, root / "db.duckdb", date(2026, 7, 1), MONTH,
                        reports_dir=root / "out", reports=True, dagster_home=root / "dagster_home")
    assert result.success
    return root / "out" / "2026-09"


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_one_pdf_per_vendor_with_data_and_an_executive_pdf(rendered: Path):
    from conftest import query

    assert (rendered / "executive.pdf").is_file()
    # A range renders every month's executive PDF and data-quality page; vendor PDFs only for the last.
    for month in ("2026-07", "2026-08", "2026-09"):
        assert (rendered.parent / month / "executive.pdf").is_file(), month
        assert (rendered.parent / month / "data-quality.html").is_file(), month
    assert not (rendered.parent / "2026-08" / "vendors").exists()
    assert "August 2026" in _text(rendered.parent / "2026-08" / "executive.pdf")
    names = sorted(p.name for p in (rendered / "vendors").glob("*.pdf"))
    # V3 has no record at all in 12 months: a scorecard row saying "no data", but no PDF.
    assert names == sorted(f"{safe_file_stem(v)}.pdf" for v in ["V1", "V2", "US"])
    db = rendered.parent.parent / "db.duckdb"
    assert query(db, "SELECT deliveries_due, trust_score FROM scorecard WHERE vendor_id = 'V3' AND month = ?",
                 [MONTH]) == [(0, None)]


def test_vendor_pdf_names_its_vendor_month_score_and_no_other_vendor(rendered: Path):
    text = _text(rendered / "vendors" / "V1.pdf")
    assert "Acme Packaging" in text and "September 2026" in text
    assert "Quiet Widgets" not in text and "Our Company" not in text and "passwd" not in text
    assert "Widget <b>Pro</b>" in text  # announcement evidence, product name as literal text
    assert "10 of 12" not in text or "late" in text


def test_vendor_pdf_shows_score_and_grade_from_the_scorecard(rendered: Path):
    from conftest import query

    db = rendered.parent.parent / "db.duckdb"
    score, grade = query(db, "SELECT trust_score, grade FROM scorecard WHERE vendor_id = 'V1' AND month = ?", [MONTH])[0]
    text = _text(rendered / "vendors" / "V1.pdf")
    assert f"{score:.0f}" in text
    assert grade in text.split()


def test_hostile_vendor_name_prints_literally(rendered: Path):
    pdf = rendered / "vendors" / f"{safe_file_stem('V2')}.pdf"
    text = _text(pdf).replace("\n", " ")
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" not in text or "alert(1)" in text  # printed, never executed
    assert len(PdfReader(pdf).attachments) == 0  # nothing embedded from the file system
    html = (rendered / "vendors" / f"{safe_file_stem('V2')}.html").read_text()
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html
    assert "<script>alert(1)</script>" not in html


def test_executive_pdf_metadata_pages_and_no_self_in_movers(rendered: Path):
    reader = PdfReader(rendered / "executive.pdf")
    meta = reader.metadata
    assert meta.title == "Vendor trust, September 2026"
    assert meta.author == "trustcard"
    assert meta.subject == "trustcard executive summary"
    assert 2 <= len(reader.pages) <= 8
    assert reader.trailer["/Root"].get("/Lang") == "en"
    text = _text(rendered / "executive.pdf")
    assert "How our customers see us" in text and "Our Company" in text


def test_vendor_pdf_page_count_is_bounded(rendered: Path):
    for pdf in (rendered / "vendors").glob("*.pdf"):
        assert 1 <= len(PdfReader(pdf).pages) <= 8, pdf.name


def test_fetcher_serves_only_report_assets(tmp_path: Path):
    assert _allowed_file((ALLOWED_ASSET_DIRS[1] / "DejaVuSansCondensed.ttf").as_uri()) is not None
    for url in ["file:///etc/passwd", (ALLOWED_ASSET_DIRS[0] / ".." / ".." / "README.md").as_uri(),
                "http://127.0.0.1/x.png", "data:text/plain,hello", "ftp://example.com/x"]:
        assert _allowed_file(url) is None, url


def test_render_requests_only_allowed_assets_and_is_byte_identical(tmp_path: Path):
    context = {"vendor": {"vendor_name": HOSTILE}, "month": MONTH, "month_label": "September 2026"}
    html_vendor = HOSTILE + '<link rel="attachment" href="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
    job = lambda out: ReportJob("probe.html", {"name": html_vendor, **context}, out, None,  # noqa: E731
                                title="probe", subject="probe", month=MONTH)
    probe = Path(__file__).resolve().parents[1] / "reports" / "templates" / "probe.html"
    probe.write_text('{% extends "base.html" %}{% block body %}<h1>{{ name }}</h1>'
                     '<p>{{ name }}</p>{% endblock %}')
    try:
        log: list[str] = []
        first = render_pdf(job(tmp_path / "a" / "probe.pdf"), fetch_log=log)
        second = render_pdf(job(tmp_path / "b" / "probe.pdf"))
    finally:
        probe.unlink()
    assert log, "the stylesheet's fonts are fetched through the fetcher"
    assert all(_allowed_file(u) is not None for u in log), log
    assert first.read_bytes() == second.read_bytes()
    assert "file:///etc/passwd" in _text(first)


def test_a_silent_month_explains_held_trust_not_repair():
    from pipelines.defs.reports.context import _mover_reason

    base = {"delivery_score": None, "promise_score": None, "recovery_score": None, "prev_delivery": 80.0,
            "prev_promise": None, "prev_recovery": None, "trust_change": 0.0, "on_time_rate": None,
            "prev_on_time": 0.8, "complaints_opened": 0, "announcements_broken_12m": 0,
            "announcements_due_12m": 0}
    assert _mover_reason({**base, "prev_trust": 70.0, "month_score": None}) == "no data this month: trust held where it was"
    assert _mover_reason({**base, "prev_trust": None, "month_score": 90.0}) == "first month with a score"
    active = {**base, "prev_trust": 70.0, "month_score": 95.0, "delivery_score": 95.0, "trust_change": 5.0,
              "on_time_rate": 0.95}
    assert _mover_reason(active) == "delivery +15 (on time 95%, was 80%)"
