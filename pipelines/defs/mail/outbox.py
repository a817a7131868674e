"""Transport: send messages over SMTP, or write them as .eml files when dry-running.

The connection (and STARTTLS and login) is made before the first message, so a server that
cannot be reached fails the run having sent nothing. After each message the server accepts,
`on_sent` is called at once, so the caller can log it before the next one: if the server dies
halfway, what was sent is on record and a rerun sends only the rest.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from .settings import MailSettings

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")
MODE_SMTP = "smtp"
MODE_DRY_RUN = "dry-run"


class MailError(Exception):
    """Mail could not be delivered; the message is one line, for the person running trustcard."""


@dataclass(frozen=True)
class Outgoing:
    name: str  # file stem of the dry-run copy: deterministic, [A-Za-z0-9._-] only
    message: EmailMessage
    recipients: tuple[str, ...]  # the envelope: validated plain addresses
    report: str = ""  # what the caller logs: 'executive', 'vendor', 'alert'
    vendor_id: str | None = None
    pdf_sha256: str | None = None


@dataclass
class Delivery:
    mode: str
    messages: int = 0
    recipients: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (recipient, server reply)
    folder: Path | None = None


OnSent = Callable[[Outgoing, list[str]], None]


def mode(settings: MailSettings, dry_run_dir: Path) -> str:
    return MODE_SMTP if settings.outbox(dry_run_dir) is None else MODE_DRY_RUN


def deliver(messages: Sequence[Outgoing], settings: MailSettings, dry_run_dir: Path,
            on_sent: OnSent | None = None) -> Delivery:
    """Send `messages` (or write them to the dry-run folder); `dry_run_dir` is the folder used
    when no SMTP host and no TRUSTCARD_MAIL_DRY_RUN are set. Raises MailError."""
    on_sent = on_sent or (lambda out, accepted: None)
    folder = settings.outbox(dry_run_dir)
    if folder is not None:
        return _write_all(messages, folder, on_sent)
    delivery = Delivery(MODE_SMTP)
    if not messages:
        return delivery  # nothing to send: no need for the server to be up
    with _connect(settings) as smtp:
        for out in messages:
            accepted, refused = _send(smtp, out, settings, delivery.messages, len(messages))
            delivery.refused += refused
            if accepted:
                on_sent(out, accepted)
                delivery.messages += 1
                delivery.recipients += len(accepted)
    return delivery


def _write_all(messages: Sequence[Outgoing], folder: Path, on_sent: OnSent) -> Delivery:
    delivery = Delivery(MODE_DRY_RUN, folder=folder)
    for out in messages:
        write_eml(out, folder)
        on_sent(out, list(out.recipients))
        delivery.messages += 1
        delivery.recipients += len(out.recipients)
    return delivery


def write_eml(out: Outgoing, folder: Path) -> Path:
    if not SAFE_NAME.fullmatch(out.name):
        raise ValueError(f"unsafe .eml file name {out.name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{out.name}.eml"
    tmp = folder / f".{out.name}.eml.tmp"
    # Written whole, then renamed: a reader never sees half a message.
    tmp.write_bytes(out.message.as_bytes(policy=policy.SMTP))
    tmp.replace(path)
    return path


def _send(smtp: smtplib.SMTP, out: Outgoing, settings: MailSettings, done: int,
          total: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Send one message; returns the recipients the server accepted and those it refused."""
    try:
        refused = smtp.send_message(out.message, from_addr=settings.sender, to_addrs=list(out.recipients))
    except smtplib.SMTPRecipientsRefused as exc:
        # Every recipient refused: the connection is still good, so the other messages go on.
        refused = exc.recipients
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP server {settings.server} failed after {done} of {total} messages: {reason(exc)}; "
                        f"those sent are logged, a rerun sends the other {total - done}") from exc
    accepted = [r for r in out.recipients if r not in refused]
    return accepted, [(r, _reply(*refused[r])) for r in out.recipients if r in refused]


@contextmanager
def _connect(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    smtp = _open(settings)
    try:
        _secure_and_login(smtp, settings)
        yield smtp
    finally:
        _close(smtp)


def _open(settings: MailSettings) -> smtplib.SMTP:
    try:
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except ssl.SSLError as exc:
        raise MailError(f"TLS with SMTP server {settings.server} failed: {reason(exc)}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot reach SMTP server {settings.server}: {reason(exc)}") from exc


def _secure_and_login(smtp: smtplib.SMTP, settings: MailSettings) -> None:
    step = "STARTTLS"
    try:
        if settings.security == "starttls":
            # Never falls back to plain text: a server without STARTTLS is an error.
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            step = f"login as {settings.user!r}"
            smtp.login(settings.user, settings.password)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP server {settings.server}: {step} failed: {reason(exc)}") from exc


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()  # the server is gone already: just drop the socket


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {text}"


def reason(exc: BaseException) -> str:
    """One line saying why, without a traceback."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = _reply(exc.smtp_code, exc.smtp_error)
    elif isinstance(exc, ssl.SSLCertVerificationError):
        text = f"certificate verify failed: {exc.verify_message}" if exc.verify_message else str(exc)
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        text = str(exc) or "not offered by the server"
    elif isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())
