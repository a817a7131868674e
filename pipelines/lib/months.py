"""Month arithmetic on first-of-month dates, the partition keys' natural type."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


MONTH_TEXT = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def parse_month(text: str) -> date:
    """'2026-10' or '2026-10-01' -> date(2026, 10, 1); anything else ('2026-0399', '2026-10-15')
    is refused rather than read as some month."""
    text = text.strip()
    if not MONTH_TEXT.fullmatch(text):  # strptime reads '2026-1' as January: a typo for 2026-10 (review)
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.day == 1:
            return parsed
    raise ValueError(f"not a month (YYYY-MM): {text!r}")


def month_key(d: date) -> str:
    """The Dagster partition key of a month: '2026-10-01'."""
    return d.strftime("%Y-%m-01")


def months_between(first: date, last: date) -> list[date]:
    """Every month from first to last, inclusive."""
    out, current = [], month_start(first)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def last_complete_month(today: date | None = None) -> date:
    today = today or datetime.now(timezone.utc).date()
    return add_months(month_start(today), -1)


# Every month there is: ingest stages and validates all months of the landing files at once,
# because duplicates, repeats and look-backs span months (and reruns must not depend on order).
ALL_MONTHS = (date(1, 1, 1), date(9999, 12, 1))


def range_label(first: date, last: date) -> str:
    """Months first..last (both inclusive) as printed: '2026-03', or '2026-03..2026-10'."""
    return f"{first:%Y-%m}" if first == last else f"{first:%Y-%m}..{last:%Y-%m}"


def contiguous_ranges(months: list[date]) -> list[tuple[date, date]]:
    """Unbroken runs of months as (first, last), both inclusive: [Jan, Feb, Apr] -> [(Jan, Feb), (Apr, Apr)]."""
    ranges: list[tuple[date, date]] = []
    for m in sorted(months):
        if ranges and months_between(ranges[-1][1], m)[1:] == [m]:
            ranges[-1] = (ranges[-1][0], m)
        else:
            ranges.append((m, m))
    return ranges


def ranges_label(months: list[date]) -> str:
    """Months as unbroken ranges: [Jan, Feb, Apr] -> '2026-01..2026-02, 2026-04' ('' for none)."""
    return ", ".join(range_label(a, b) for a, b in contiguous_ranges(months))
