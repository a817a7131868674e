"""Where `trustcard demo` writes must hold nothing but an earlier demo: settings exported for
real data (TRUSTCARD_LANDING_DIR, TRUSTCARD_DB, TRUSTCARD_REPORTS_DIR) must not lose their
landing folder, database or PDFs to the sample. Checked before anything is written."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb

from .defs.reports.assets import safe_file_stem
from .lib.settings import DEFAULT_REPORTS_DIR, Settings
from .sample_data import DEFAULT_SEED, NotASampleFolder, build_vendors, check_sample_folder


# Left by the demo in its reports folder: PDFs carry no mark of the data they came from, and a
# real vendor list may use the sample's ids (V001...).
REPORTS_MARK = ".trustcard-demo"


class NotADemoTarget(ValueError):
    """A place the demo would overwrite holds something else."""


def check_demo_targets(settings: Settings) -> None:
    try:
        check_sample_folder(settings.landing_dir)
    except NotASampleFolder as exc:
        raise NotADemoTarget(str(exc)) from exc
    _check_database(settings.db_path)
    _check_reports(settings.reports_dir, default=DEFAULT_REPORTS_DIR)


def mark_demo_reports(reports: Path) -> None:
    """Once every check passed: the reports folder is the demo's from now on."""
    reports.mkdir(parents=True, exist_ok=True)
    (reports / REPORTS_MARK).write_text("written by `trustcard demo`: the sample's reports\n")


def _sample_vendors() -> set[tuple[str, str]]:
    """(id, name) as staging stores them: trimmed, in Unicode NFC."""
    def stored(text: str) -> str:
        return unicodedata.normalize("NFC", text.strip(" "))
    return {(stored(v.vendor_id), stored(v.name)) for v in build_vendors(DEFAULT_SEED)}


def _check_database(db: Path) -> None:
    """A new file, or an earlier demo's database: trustcard's tables (build_log) and the sample's
    vendors, by id and name (a real list may use ids such as V001 too)."""
    if not db.exists():
        return
    refuse = f"TRUSTCARD_DB={db}"
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise NotADemoTarget(f"{refuse} cannot be opened to check it is a demo database: {exc}") from exc
    vendors: set[tuple[str, str]] = set()
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        try:
            vendors = set(con.execute("SELECT vendor_id, vendor_name FROM vendors").fetchall()) if "vendors" in tables else set()
        except duckdb.Error:  # a table named vendors, not trustcard's
            tables.discard("build_log")
    finally:
        con.close()
    if not tables:
        return
    if "build_log" not in tables:
        raise NotADemoTarget(f"{refuse} is not a trustcard database (it holds {len(tables)} other table(s), e.g. "
                             f"'{sorted(tables)[0]}'): the demo would replace them. Point TRUSTCARD_DB at a new file, or unset it")
    others = vendors - _sample_vendors()
    if others:
        vendor_id, name = sorted(others)[0]
        raise NotADemoTarget(f"{refuse} holds the scores of vendors that are not the sample's ({len(others)}, e.g. "
                             f"'{vendor_id}' {name!r}): the demo would write into it. Point TRUSTCARD_DB at a new "
                             "file for the demo, or unset it")


def _check_reports(reports: Path, default: Path) -> None:
    """A new or empty folder, or the demo's (its mark; the project's own reports/out, written by
    demos before the mark, when it holds no vendor PDF but the sample vendors')."""
    if not reports.is_dir() or not any(reports.iterdir()) or (reports / REPORTS_MARK).is_file():
        return
    stems = {safe_file_stem(vendor_id) for vendor_id, _ in _sample_vendors()}
    foreign = sorted(p for p in reports.glob("*/vendors/*.pdf") if p.stem not in stems)
    if foreign:
        raise NotADemoTarget(f"TRUSTCARD_REPORTS_DIR={reports} holds PDFs of vendors that are not the sample's "
                             f"({len(foreign)}, e.g. {foreign[0].relative_to(reports)}): the demo would replace or "
                             "remove them. Point TRUSTCARD_REPORTS_DIR at a new folder for the demo, or unset it")
    if reports.resolve() != default.resolve():
        raise NotADemoTarget(f"TRUSTCARD_REPORTS_DIR={reports} holds files the demo did not write (no {REPORTS_MARK} "
                             "mark): the demo would replace them. Point TRUSTCARD_REPORTS_DIR at a new folder for "
                             "the demo, or unset it")
