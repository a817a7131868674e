"""Which months of a feed need validating again (those whose staged rows changed), and which
months' validated rows did change (what the months scored before must be scored again for).

Validation of a month reads that month's staged rows (and the rows of unknown month, judged in
every window), the vendor list and the as-of date. So when the vendor list, the as-of date and
trustcard's code are what the last validation saw, only months whose staged rows differ need
judging again: a late file costs its months, not the feed. Staged rows are compared per month
by count and an order-independent sum of row hashes (with the file each row was read from).
A new as-of date judges again only the months holding a date the move reaches: validation reads
the as-of date only to reject dates after it, or too far after it (its reasons do not quote it),
so a month with no date between the two as-of dates (or those years after them) is judged alike.
"""
from __future__ import annotations

from datetime import date

import duckdb

from ...lib.build_log import code_version
from ...lib.db import month_filter, table_exists
from ...lib.months import ALL_MONTHS, add_months, contiguous_ranges, parse_month
from ..ingest.feeds import Feed
from ..ingest.landing_digest import NO_MONTH, WHOLE  # NO_MONTH: rows whose month is unknown, judged in every window


# The limits of `too_far_ahead` in sql/validated/*.sql (years after the as-of date a promise may
# lie); tests/test_reruns.py checks they are these.
AHEAD_YEARS = (5, 10)


def months_reached(con: duckdb.DuckDBPyConnection, feed: Feed, before: str | None, now: date) -> set[str]:
    """The months (as in `basis`) holding a staged date that a move of the as-of date from
    `before` to `now` judges differently: after the earlier as-of date and not after the later
    one (`after_as_of`), or so many years after them (`too_far_ahead`). Any date or timestamp
    column counts, whichever check reads it: more months than needed, never fewer."""
    if not feed.is_folder or before is None or before == now.isoformat():
        return set()
    low, high = sorted([date.fromisoformat(before), now])
    dated = [c for (c,) in con.execute(
        """SELECT column_name FROM duckdb_columns WHERE table_name = ? AND column_name <> 'month'
           AND (data_type = 'DATE' OR data_type LIKE 'TIMESTAMP%') ORDER BY column_index""",
        [f"stg_{feed.name}"]).fetchall()]
    # the same date arithmetic as the checks (`as_of + to_years(n)`, sql/macros.sql)
    reach = " OR ".join(f"({c}::DATE > $low + to_years({y}) AND {c}::DATE <= $high + to_years({y}))"
                        for c in dated for y in (0, *AHEAD_YEARS))
    if not reach:
        return set()
    return {m for (m,) in con.execute(
        f"SELECT DISTINCT coalesce(strftime(month, '%Y-%m'), $none) FROM stg_{feed.name} WHERE {reach}",
        {"none": NO_MONTH, "low": low, "high": high}).fetchall()}


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


def windows_to_validate(feed: Feed, before: dict | None, now: dict,
                        reached: set[str] = frozenset()) -> list[tuple[date, date]]:
    """[start, end) windows covering the months to judge again: every month when the code or the
    vendor list changed (or there is no earlier validation), else the months whose rows changed
    and `reached`, the months a move of the as-of date reaches (`months_reached`)."""
    same_context = before is not None and all(before.get(k) == now[k] for k in ("code", "vendors"))
    if not feed.is_folder or not same_context:
        return [ALL_MONTHS]
    changed = {m for m in set(before["months"]) | set(now["months"])
               if before["months"].get(m) != now["months"].get(m)} | set(reached)
    dated = [parse_month(m) for m in changed if m != NO_MONTH]
    if not dated:
        # Only rows of unknown month changed (they are judged in any window), or nothing did.
        return [(ALL_MONTHS[0], ALL_MONTHS[0])] if changed else []
    return [(first, add_months(last, 1)) for first, last in contiguous_ranges(dated)]


# Announcements are judged before they fall due from the month they were first moved or cancelled
# (announcement_metrics' judged_from): the earliest such event of a month's announcements, so that
# a change to them reaches back there. A re-announcement (an `announced` event after the first)
# counts as a move.
_MOVED_SINCE = """strftime(min(date_trunc('month', event_date)) FILTER (
    WHERE event IN ('revised', 'cancelled') OR (event = 'announced' AND event_date > _first_on)), '%Y-%m')"""


def results(con: duckdb.DuckDBPyConnection, feed: Feed, table: str, windows: list[tuple[date, date]],
            before: dict | None) -> dict[str, list]:
    """What validation wrote that the metrics read, per month ('all' for the vendor list): the
    valid rows' count and order-independent hash sum, and for announcements the month they are
    judged from when earlier. Not the quarantine: its reasons quote the as-of date, and no score
    reads it. The months of `windows` are measured, the others carried over from `before`
    (validation rewrote only those windows)."""
    out = {} if before is None or windows == [ALL_MONTHS] else dict(before)
    moved = feed.name == "announcements"
    for start, end in windows:
        where, args = month_filter(feed.is_folder, start, end)
        label = "coalesce(strftime(month, '%Y-%m'), ?)" if feed.is_folder else "?"
        # Where a row was read from is not what it says: a landing file renamed (or its rows moved
        # to another file) changes no score, and must not put the months it holds out of date
        # (review: a rename marked 19 months). An announcement's statements made on one day are
        # read in file order, so their order is measured instead.
        said = "* EXCLUDE (_source_file, _row_number)"
        rows = (f"""(SELECT {said}, min(event_date) FILTER (WHERE event = 'announced') OVER (PARTITION BY announcement_id)
                       AS _first_on, row_number() OVER (PARTITION BY announcement_id ORDER BY event_date,
                       event <> 'announced', _source_file, _row_number) AS _said_order
                     FROM {table} WHERE {where})""" if moved else f"(SELECT {said} FROM {table} WHERE {where})")
        measured = con.execute(
            f"""SELECT {label} AS m, count(*), sum(hash(t))::VARCHAR, {_MOVED_SINCE if moved else 'NULL'}
                FROM {rows} t GROUP BY ALL""", [NO_MONTH if feed.is_folder else WHOLE, *args]).fetchall()
        in_window = {m for m in out if m in (NO_MONTH, WHOLE) or start <= parse_month(m) < end}
        for m in in_window:
            del out[m]
        out.update({m: [n, h, since] for m, n, h, since in measured})
    return out


def mark_scores_out_of_date(con: duckdb.DuckDBPyConnection, reach: str | None) -> None:
    """The scored months a change of validated rows reaches (`reach` on, every month for the
    vendor list) are out of date until a run scores them again (the scorecard step clears the
    months it writes). Kept in the database, not only printed: a note lost with a cron log, or a
    run started from the UI, still leaves the next run able to name them."""
    if reach is None or not table_exists(con, "scorecard"):
        return
    every = reach == WHOLE
    con.execute("""INSERT OR IGNORE INTO scores_out_of_date
                   SELECT DISTINCT month FROM scorecard WHERE ? OR month >= ?""",
                [every, None if every else parse_month(reach)])


def months_changed(before: dict | None, now: dict) -> tuple[list[str], str | None]:
    """The months (keys of `results`) whose valid rows differ (every month of `now` when nothing
    was recorded before), and the first month a score may have moved in: the earliest of them, or
    of the months their announcements are judged from, before the change or after it."""
    before = before or {}
    changed = sorted(m for m in set(before) | set(now) if before.get(m) != now.get(m))
    reach = [x for m in changed for x in (m, (before.get(m) or [None] * 3)[2], (now.get(m) or [None] * 3)[2])
             if x and x not in (NO_MONTH, WHOLE)]
    if WHOLE in changed:
        return changed, WHOLE
    return changed, min(reach) if reach else None
