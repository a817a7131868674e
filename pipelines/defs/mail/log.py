"""mail_log: who got which report of a month, so a rerun mails only those who did not.

Each accepted message is logged in its own transaction right after the server's 250, before
the next message goes out. The one window left is a crash between the server's acceptance
and that commit: such a recipient would get the report again on the next run (at least once,
never silently lost).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb

from ...lib.db import transaction
from ...lib.sql import load_sql
from .outbox import Outgoing

SentKey = tuple[str, str, str]  # (report, vendor_id or '', recipient in lower case)


def ensure_mail_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql("mail/mail_log"))


def sent_key(report: str, vendor_id: str | None, recipient: str) -> SentKey:
    return report, vendor_id or "", recipient.lower()


def smtp_sent(con: duckdb.DuckDBPyConnection, month: date) -> dict[SentKey, str]:
    """Every report+recipient of `month` the mail server accepted, with the PDF's sha256 then."""
    rows = con.execute(load_sql("mail/smtp_sent"), {"month": month}).fetchall()
    return {(report, vendor, recipient): sha for report, vendor, recipient, sha in rows}


def record_sent(con: duckdb.DuckDBPyConnection, month: date, out: Outgoing, accepted: list[str],
                mode: str, run_id: str) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # the column is UTC without offset
    rows = [[month, out.report, out.vendor_id, r, out.pdf_sha256, mode, run_id, now] for r in accepted]
    with transaction(con):
        if mode == "dry-run":
            # A preview replaces the last preview of the same report and recipient: reruns in
            # dry-run mode do not grow the log.
            con.executemany(
                "DELETE FROM mail_log WHERE mode = 'dry-run' AND month = ? AND report = ? "
                "AND vendor_id IS NOT DISTINCT FROM ? AND recipient = ?",
                [[month, out.report, out.vendor_id, r] for r in accepted])
        con.executemany(
            "INSERT INTO mail_log (month, report, vendor_id, recipient, pdf_sha256, mode, run_id, sent_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
