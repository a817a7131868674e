"""The month's messages: the executive PDF to the executives, each vendor's PDF to that vendor.

A vendor's message carries only that vendor's PDF and goes only to its own `report_recipients`
(untrusted text from vendors.csv, parsed in addresses.py) plus the internal owners, in Cc.
Vendor names go into subjects only as one cleaned line: header injection needs a line break.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cached_property
from pathlib import Path

import duckdb

from ...lib.sql import load_sql
from ..reports.assets import month_dir, safe_file_stem, vendor_report_path
from ..reports.context import month_label
from .addresses import merge, one_line, parse_recipients, shown
from .outbox import Outgoing
from .settings import MailSettings

EXECUTIVE = "executive"
VENDOR = "vendor"


@dataclass(frozen=True)
class Report:
    """One PDF and who reads it; `to` and `cc` are validated addresses."""
    kind: str
    vendor_id: str | None
    vendor_name: str | None
    pdf: Path
    data: bytes  # read once: what is hashed is what is attached
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def stem(self) -> str:
        return EXECUTIVE if self.vendor_id is None else f"{VENDOR}-{safe_file_stem(self.vendor_id)}"


@dataclass
class MonthPlan:
    reports: list[Report] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {vendor_id, entry, reason}
    # PDFs with nobody to send them to: the executive's (why), the vendors' (their ids as shown)
    unaddressed_executive: str | None = None
    unaddressed_vendors: list[str] = field(default_factory=list)

    @property
    def unaddressed(self) -> list[str]:
        return ([f"executive ({self.unaddressed_executive})"] if self.unaddressed_executive else []) + \
            [f"vendor {v} ({NO_VENDOR_RECIPIENT})" for v in self.unaddressed_vendors]


NO_VENDOR_RECIPIENT = "no valid report_recipients, no TRUSTCARD_MAIL_OWNER"


def plan_month(con: duckdb.DuckDBPyConnection, month: date, reports_dir: Path, settings: MailSettings) -> MonthPlan:
    plan = MonthPlan()
    executive = month_dir(reports_dir, month) / "executive.pdf"
    if executive.is_file() and not settings.executives:
        plan.unaddressed_executive = "TRUSTCARD_MAIL_EXECUTIVES is empty"
    elif executive.is_file():
        plan.reports.append(Report(EXECUTIVE, None, None, executive, executive.read_bytes(), settings.executives))
    for vendor_id, name, recipients in con.execute(load_sql("mail/vendor_recipients"), {"month": month}).fetchall():
        pdf = vendor_report_path(reports_dir, month, vendor_id)
        if pdf.is_file():
            _add_vendor(plan, vendor_id, name, recipients, pdf, settings)
    return plan


def _add_vendor(plan: MonthPlan, vendor_id: str, name: str, recipients: str | None, pdf: Path,
                settings: MailSettings) -> None:
    kept, rejected = parse_recipients(recipients)
    plan.rejected += [{"vendor_id": vendor_id, "entry": r.shown, "reason": r.reason} for r in rejected]
    listed = {a.lower() for a in kept}
    cc = [a for a in settings.owners if a.lower() not in listed]  # an owner the vendor lists gets one copy
    if not kept and not cc:
        plan.unaddressed_vendors.append(shown(vendor_id))
        return
    plan.reports.append(Report(VENDOR, vendor_id, name, pdf, pdf.read_bytes(), tuple(kept), tuple(cc)))


def outgoing(report: Report, to: list[str], cc: list[str], month: date, settings: MailSettings) -> Outgoing:
    """The message of `report` for these recipients (a subset of its own, e.g. those not yet sent)."""
    to, cc = (to, cc) if to else (cc, [])  # owners only: they are the addressees
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = _subject(report, month)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid("trustcard", domain=settings.sender.split("@")[1])
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    msg.set_content(_body(report, month))
    msg.add_attachment(report.data, maintype="application", subtype="pdf", filename=attachment_name(report, month))
    return Outgoing(f"{month:%Y-%m}-{report.stem}", msg, tuple(merge(to, cc)), report.kind,
                    report.vendor_id, report.sha256)


def attachment_name(report: Report, month: date) -> str:
    return f"trustcard-{month:%Y-%m}-{report.stem}.pdf"


def _subject(report: Report, month: date) -> str:
    if report.kind == EXECUTIVE:
        return f"Vendor trust, {month_label(month)}: executive summary"
    return f"Trust scorecard, {month_label(month)}: {one_line(report.vendor_name or '')}"


def _body(report: Report, month: date) -> str:
    if report.kind == EXECUTIVE:
        lead = (f"Attached is the trustcard executive summary for {month_label(month)}: "
                "who improved, who slipped, and who to worry about.")
    else:
        lead = (f"Attached is the trust scorecard of {one_line(report.vendor_name or '', 200)} for "
                f"{month_label(month)}: how deliveries, promises and recovery from incidents scored, "
                "and what would raise the score.")
    return f"{lead}\n\nThis message was sent automatically by trustcard; replies are not read.\n"
