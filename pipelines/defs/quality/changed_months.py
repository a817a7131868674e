"""Which months of a feed need validating again: those whose staged rows changed.

Validation of a month reads that month's staged rows (and the rows of unknown month, judged in
every window), the vendor list and the as-of date. So when the vendor list, the as-of date and
trustcard's code are what the last validation saw, only months whose staged rows differ need
judging again: a late file costs its months, not the feed. Staged rows are compared per month
by count and an order-independent sum of row hashes (with the file each row was read from).
"""
from __future__ import annotations

from datetime import date

import duckdb

from ...lib.build_log import code_version, last_detail
from ...lib.months import ALL_MONTHS, add_months, contiguous_ranges, parse_month
from ..ingest.feeds import Feed
from ..ingest.landing_digest import NO_MONTH  # rows whose month is unknown: judged in every window


def basis(con: duckdb.DuckDBPyConnection, feed: Feed, as_of: date) -> dict:
    """What a feed's validation depended on: per month, its staged rows' count and hash sum."""
    vendors = con.execute("SELECT fingerprint FROM build_log WHERE step = 'stage:vendors'").fetchall()
    # A row hashes with the spooled file its text was read into (named by the landing file's size
    # and times): a correction of the text alone ('05' -> '5') changes what quarantine shows of it.
    months = con.execute(
        f"""SELECT coalesce(strftime(s.month, '%Y-%m'), ?), count(*), sum(hash(s, f.part))::VARCHAR
            FROM stg_{feed.name} s LEFT JOIN spooled_files f ON f.feed = ? AND f.source_file = s._source_file
            GROUP BY ALL""", [NO_MONTH, feed.name]).fetchall() if feed.is_folder else []
    return {"code": code_version(), "as_of": as_of.isoformat(), "vendors": vendors[0][0] if vendors else None,
            "months": {m: [n, h] for m, n, h in months}}


def previous_basis(con: duckdb.DuckDBPyConnection, step: str) -> dict | None:
    return (last_detail(con, step) or {}).get("basis")


def windows_to_validate(feed: Feed, before: dict | None, now: dict) -> list[tuple[date, date]]:
    """[start, end) windows covering the months to judge again: every month when anything but the
    staged rows changed (or there is no earlier validation), else the months whose rows changed."""
    same_context = before is not None and all(before.get(k) == now[k] for k in ("code", "as_of", "vendors"))
    if not feed.is_folder or not same_context:
        return [ALL_MONTHS]
    changed = {m for m in set(before["months"]) | set(now["months"])
               if before["months"].get(m) != now["months"].get(m)}
    dated = [parse_month(m) for m in changed if m != NO_MONTH]
    if not dated:
        # Only rows of unknown month changed (they are judged in any window), or nothing did.
        return [(ALL_MONTHS[0], ALL_MONTHS[0])] if changed else []
    return [(first, add_months(last, 1)) for first, last in contiguous_ranges(dated)]

