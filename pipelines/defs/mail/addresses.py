"""Recipient lists from untrusted text: only plain addr-specs survive, so no header can be injected.

`report_recipients` in vendors.csv is written by whoever exports the vendor list. An entry is
kept only when it is a bare `local@domain` in ASCII dot-atom form: no display names, quotes,
comments, commas, angle brackets, whitespace or control characters. Anything else is rejected
with a reason and reported, never raised: one bad vendor row must not stop everyone's mail.
Free text that goes into a header (a vendor name in a subject) passes through `one_line`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_ADDRESS = 254  # RFC 5321: the longest path that fits in MAIL/RCPT
MAX_LOCAL = 64
MAX_SHOWN = 80  # a rejected entry is reported truncated: it is untrusted and may be huge

# RFC 5322 dot-atom: what a plain address may be made of, and nothing that needs quoting.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class Rejected:
    """An entry that is not mailed: `shown` is the entry escaped (repr) and truncated, safe to log."""
    shown: str
    reason: str


def shown(text: str) -> str:
    escaped = repr(text)
    return escaped if len(escaped) <= MAX_SHOWN else escaped[: MAX_SHOWN - 1] + "…"


def address_problem(address: str) -> str | None:
    """Why `address` is not a plain addr-spec, or None when it is one."""
    if any(c in address for c in "\r\n\x85\u2028\u2029"):
        return "contains a line break"
    if any(ord(c) < 32 or ord(c) == 127 for c in address):
        return "contains a control character"
    if not address.isascii():
        return "contains non-ASCII characters"
    if any(c.isspace() for c in address):
        return "contains whitespace (display names are not accepted)"
    if "," in address:
        return "contains a comma (separate addresses with ';')"
    if any(c in address for c in '<>"()[]:\\'):
        return "is not a plain address (no display names, quotes, comments or brackets)"
    if address.count("@") != 1:
        return "must contain exactly one @"
    if len(address) > MAX_ADDRESS:
        return f"is longer than {MAX_ADDRESS} characters"
    local, domain = address.split("@")
    if not 0 < len(local) <= MAX_LOCAL or not _LOCAL.fullmatch(local):
        return "has an invalid part before the @"
    if not all(_LABEL.fullmatch(label) for label in domain.split(".")):
        return "has an invalid domain"
    return None


def parse_recipients(text: str | None) -> tuple[list[str], list[Rejected]]:
    """Split a `;`-separated list: strip, drop empties, dedupe case-insensitively (first spelling
    wins), and separate the plain addresses from the rejected entries."""
    kept: list[str] = []
    seen: set[str] = set()
    rejected: list[Rejected] = []
    for entry in (text or "").split(";"):
        # Edge whitespace (a list written one address a line) is harmless; inner breaks are not.
        address = entry.strip()
        if not address:
            continue
        problem = address_problem(address)
        if problem:
            rejected.append(Rejected(shown(address), problem))
        elif address.lower() not in seen:
            seen.add(address.lower())
            kept.append(address)
    return kept, rejected


def merge(*lists: list[str] | tuple[str, ...]) -> list[str]:
    """One list from several, in order, without case-insensitive repeats."""
    out: list[str] = []
    seen: set[str] = set()
    for address in (a for lst in lists for a in lst):
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def one_line(text: str, limit: int = 80) -> str:
    """Untrusted text as one printable line: control and format characters (line breaks, bidi
    overrides) become spaces, runs of spaces one, and long text is cut."""
    cleaned = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
