"""Which months of a feed need validating again (those whose staged rows changed), and which
months' validated rows did change (what the months scored before must be scored again for).

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
from ...lib.db import month_filter
from ..ingest.landing_digest import NO_MONTH, WHOLE  # NO_MONTH: rows whose month is unknown, judged in every window


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



def results(con: duckdb.DuckDBPyConnection, feed: Feed, table: str, windows: list[tuple[date, date]],
            before: dict | None) -> dict[str, list]:
    """What validation wrote, per month ('all' for the vendor list): the valid rows' count and
    order-independent hash sum, and the quarantined rows' (their place, column, reason and record;
    not the run that first rejected them). The months of `windows` are measured, the others carried
    over from `before` (validation rewrote only those windows)."""
    out = {} if before is None or windows == [ALL_MONTHS] else dict(before)
    for start, end in windows:
        where, args = month_filter(feed.is_folder, start, end)
        label = "coalesce(strftime(month, '%Y-%m'), ?)" if feed.is_folder else "?"
        key = NO_MONTH if feed.is_folder else WHOLE
        measured = con.execute(
            f"""SELECT 'valid' AS part, {label} AS m, count(*), sum(hash(t))::VARCHAR FROM {table} t
                WHERE {where} GROUP BY ALL
                UNION ALL
                SELECT 'quarantined', {label}, count(*),
                       sum(hash(source_file, row_number, column_name, reason, raw_record))::VARCHAR
                FROM quarantine WHERE feed = ? AND {where} GROUP BY ALL""",
            [key, *args, key, feed.name, *args]).fetchall()
        in_window = {m for m in out if m in (NO_MONTH, WHOLE) or start <= parse_month(m) < end}
        for m in in_window:
            del out[m]
        for part, m, n, h in measured:
            out.setdefault(m, {})[part] = [n, h]
    return out


def months_changed(before: dict | None, now: dict) -> list[str]:
    """The months (keys of `results`) whose validated or quarantined rows differ; every month of
    `now` when nothing was recorded before."""
    if before is None:
        return sorted(now)
    return sorted(m for m in set(before) | set(now) if before.get(m) != now.get(m))
