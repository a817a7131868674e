"""Where and how mail goes, from TRUSTCARD_SMTP_* and TRUSTCARD_MAIL_* (see docs/mail.md).

The recipient lists here are our own configuration, so an entry that is not a plain address is
a ValueError naming the variable (unlike vendors.csv, which is reported and skipped).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .addresses import address_problem, parse_recipients

SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORT = 587
DEFAULT_SENDER = "trustcard@localhost"
TIMEOUT_S = 30.0  # per socket operation: a hung server fails the step instead of holding the DuckDB lock


@dataclass(frozen=True)
class MailSettings:
    host: str  # empty: no server, every message goes to the dry-run folder
    port: int = DEFAULT_PORT
    security: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = DEFAULT_SENDER
    executives: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    engineers: tuple[str, ...] = ()
    dry_run_dir: Path | None = None  # TRUSTCARD_MAIL_DRY_RUN: write .eml files here even with a host
    timeout: float = TIMEOUT_S

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "MailSettings":
        env = os.environ if env is None else env
        user = env.get("TRUSTCARD_SMTP_USER", "").strip()
        password = env.get("TRUSTCARD_SMTP_PASSWORD", "")
        if password and not user:
            # A password with no user is never used: most likely a misspelt user variable.
            raise ValueError("TRUSTCARD_SMTP_PASSWORD is set but TRUSTCARD_SMTP_USER is not")
        dry_run = env.get("TRUSTCARD_MAIL_DRY_RUN", "").strip()
        return cls(
            host=_host(env.get("TRUSTCARD_SMTP_HOST", "")),
            port=_port(env.get("TRUSTCARD_SMTP_PORT", "")),
            security=_security(env.get("TRUSTCARD_SMTP_SECURITY", "")),
            user=user,
            password=password,
            sender=_sender(env.get("TRUSTCARD_MAIL_FROM", "")),
            executives=_list(env, "TRUSTCARD_MAIL_EXECUTIVES"),
            owners=_list(env, "TRUSTCARD_MAIL_OWNER"),
            engineers=_list(env, "TRUSTCARD_MAIL_ENGINEERS"),
            dry_run_dir=Path(dry_run) if dry_run else None,
        )

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def outbox(self, default: Path) -> Path | None:
        """The folder messages are written to instead of sent, or None when they go to the server."""
        if self.dry_run_dir is not None:
            return self.dry_run_dir
        return None if self.host else default


def _host(value: str) -> str:
    value = value.strip()
    if any(c.isspace() or c in "/@" for c in value):
        raise ValueError(f"TRUSTCARD_SMTP_HOST must be a host name or address, got {value!r}")
    return value


def _port(value: str) -> int:
    if not value.strip():
        return DEFAULT_PORT
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ValueError(f"TRUSTCARD_SMTP_PORT must be a port number (1-65535), got {value!r}")
    return port


def _security(value: str) -> str:
    value = value.strip().lower() or "starttls"
    if value not in SECURITY_MODES:
        raise ValueError(f"TRUSTCARD_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, got {value!r}")
    return value


def _sender(value: str) -> str:
    value = value.strip() or DEFAULT_SENDER
    problem = address_problem(value)
    if problem:
        raise ValueError(f"TRUSTCARD_MAIL_FROM must be a plain address (name@domain): {value!r} {problem}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    kept, rejected = parse_recipients(env.get(name, ""))
    if rejected:
        bad = "; ".join(f"{r.shown} {r.reason}" for r in rejected)
        raise ValueError(f"{name} must be ';'-separated plain addresses: {bad}")
    return tuple(kept)
