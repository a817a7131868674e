"""Alerts to the data engineers (TRUSTCARD_MAIL_ENGINEERS), e.g. from a run-failure sensor."""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from .addresses import one_line
from .outbox import Outgoing, deliver
from .settings import MailSettings

log = logging.getLogger(__name__)


def send_alert(subject: str, body: str, settings: MailSettings, dry_run_dir: Path) -> None:
    """Mail `subject` and `body` to the engineers (or write the .eml to the dry-run folder, which
    is `dry_run_dir` when no SMTP host is set). Nobody configured: logged and dropped.
    Raises MailError when the server cannot take it. Alerts are not in mail_log: each is new."""
    if not settings.engineers:
        log.warning("alert not mailed, TRUSTCARD_MAIL_ENGINEERS is empty: %s", one_line(subject, 200))
        return
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.engineers)
    # Subjects come from error messages, which may quote data: one clean line only.
    msg["Subject"] = f"[trustcard] {one_line(subject, 150)}"
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid("trustcard-alert", domain=settings.sender.split("@")[1])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body if body.endswith("\n") else body + "\n")
    digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:8]
    name = f"alert-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{digest}"
    deliver([Outgoing(name, msg, settings.engineers, report="alert")], settings, dry_run_dir)
