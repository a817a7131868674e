"""`trustcard validate`: stage and validate a landing folder in memory, write nothing, report."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import duckdb

from ...lib.duckdb_resource import open_database
from ...lib.months import ALL_MONTHS
from ...lib.settings import as_of_note
from ..ingest.feeds import ALL_FEEDS
from ..ingest.feeds import FEED_FOLDERS
from ..ingest.landing import (HIDDEN_FILE_SKIPPED, STRAY_ENTRY_SKIPPED, LandingError, hidden_data_files, landing_files,
                              stray_root_entries)
from ..ingest.staging import refuse_a_feed_gone_empty, stage_feed
from .validate import ValidationSummary, feed_notes, validate_feed


@dataclass
class DryRunReport:
    summaries: list[ValidationSummary]
    blocking: list[str]  # structural problems: the run would stop on these
    hidden: list[str]  # files named like data but hidden, which are not read
    as_of: date
    stray: list[str]  # data files and folders at the root that no feed reads
    recipients: list[tuple[str, str]] = field(default_factory=list)  # valid vendors' report_recipients, as given
    unjudged: list[str] = field(default_factory=list)  # checks against the database that could not be made now

    @property
    def ok(self) -> bool:
        return not self.blocking


def validate_landing(landing_dir: Path, as_of: date, database: Path | None = None) -> DryRunReport:
    """Stage and validate the folder in memory. With `database` (the one runs on this folder write),
    a feed folder emptied since its last run is blocking, as `trustcard run` refuses it."""
    con = open_database(":memory:")
    summaries, blocking, recipients = [], [], []
    try:
        for feed in ALL_FEEDS:
            try:
                stage_feed(con, landing_dir, feed, *ALL_MONTHS)
                summary = validate_feed(con, feed, *ALL_MONTHS, as_of, run_id="validate")
                summaries.append(replace(summary, notes=feed_notes(con, feed)))
                if feed.name == "vendors":  # judged by the mail step's rules where the command is composed
                    recipients = [tuple(r) for r in con.execute(
                        "SELECT vendor_id, report_recipients FROM vendors WHERE report_recipients IS NOT NULL "
                        "ORDER BY vendor_id").fetchall()]
            except LandingError as exc:
                blocking.append(str(exc))
                if feed.name == "vendors":
                    break  # nothing can be checked against an unreadable (or empty) vendor list
    finally:
        con.close()
    unjudged: list[str] = []
    if database is not None and not blocking:
        gone, unjudged = _feeds_gone_empty(landing_dir, database)
        blocking += gone
    return DryRunReport(summaries, blocking, [rel for feed in ALL_FEEDS for rel in hidden_data_files(landing_dir, feed)],
                        as_of, stray_root_entries(landing_dir, FEED_FOLDERS), recipients, unjudged)


def _feeds_gone_empty(landing_dir: Path, database: Path) -> tuple[list[str], list[str]]:
    """The run's refusal of a feed folder that held rows at the last staging and holds no file
    now (refuse_a_feed_gone_empty), read from the database without writing; and what could not be
    judged. A database missing is nothing to judge against; one held by a run (DuckDB opens no
    read-only connection then) is said, not passed over as if the folder were fine (review)."""
    empty = [feed for feed in ALL_FEEDS if feed.is_folder and not landing_files(landing_dir, feed)]
    if not empty or not database.exists():
        return [], []
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        folders = ", ".join(f"{feed.path}/" for feed in empty)
        return [], [f"not judged: whether the empty {folders} would stop the run (it does when the last run read "
                    f"rows there), since the database cannot be read now ({str(exc).splitlines()[0]}); "
                    "check again when no run is writing it"]
    out: list[str] = []
    try:
        for feed in empty:
            try:
                refuse_a_feed_gone_empty(con, f"stage:{feed.name}", feed, has_files=False)
            except LandingError as exc:
                out.append(str(exc))
            except duckdb.Error:  # no build_log yet: nothing was read before
                break
    finally:
        con.close()
    return out, []


def format_report(report: DryRunReport, landing_dir: Path, notes: list[str] = ()) -> str:
    """The report as printed; `notes` are more findings that block nothing (one line each)."""
    lines = [f"Landing folder {landing_dir}, as of {report.as_of} (facts after it are quarantined; TRUSTCARD_AS_OF"
             f"{as_of_note(report.as_of)})", "",
             f"{'feed':<15}{'read':>9}{'accepted':>10}{'rejected':>10}{'duplicates':>12}"]
    for s in report.summaries:
        lines.append(f"{s.feed:<15}{s.rows_read:>9}{s.rows_valid:>10}{s.rows_quarantined:>10}{s.rows_duplicate:>12}")
    for s in report.summaries:
        for column, reason, rows, place in s.top_reasons:
            lines.append(f"  {s.feed}: {rows} row(s), column {column}: {reason} (first at {place})")
        if s.rows_not_listed:
            lines.append(f"  {s.feed}: {s.rows_not_listed} more row(s) rejected for other reasons, not listed")
        lines += [f"  {s.feed}: {note}" for note in s.notes]
    lines += [f"  {rel} {HIDDEN_FILE_SKIPPED}" for rel in report.hidden]
    lines += [f"  {rel} {STRAY_ENTRY_SKIPPED}" for rel in report.stray]
    lines += [f"  {note}" for note in notes]
    lines += [f"  {note}" for note in report.unjudged]
    if report.blocking:
        lines += ["", "BLOCKING (the run would stop here):"] + [f"  {b}" for b in report.blocking]
    else:
        lines += ["", "No blocking problems: rejected rows would go to quarantine, the rest would be scored"
                      + (" (but see what was not judged, above)." if report.unjudged else ".")]
    return "\n".join(lines)
