"""Chart geometry from data: coordinates and labels for the SVG macros in reports/templates/charts.html.

Only numbers and label strings leave this module; the SVG markup itself lives in the template,
so every label from data is escaped by Jinja like any other text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Axis:
    ticks: list[tuple[float, str]]  # (pixel, label)


@dataclass
class TrendChart:
    width: int
    height: int
    line: str  # "x,y x,y ..." of the trust score
    markers: list[tuple[float, float, str]]  # (x, y, label) of each scored month
    band: str  # polygon of the peer band (25th..75th percentile)
    median: str
    y_axis: Axis
    x_axis: Axis
    grade_lines: list[tuple[float, str]] = field(default_factory=list)
    label_dy: float = -5.0  # the last value's label: above its point, or below when the line comes from above


def _scale(value: float, lo: float, hi: float, out_lo: float, out_hi: float) -> float:
    if hi == lo:
        return (out_lo + out_hi) / 2
    return out_lo + (value - lo) * (out_hi - out_lo) / (hi - lo)


def trend_chart(points: list[dict], width: int = 330, height: int = 150, grades: dict | None = None) -> TrendChart:
    """points: [{month: date, trust: float|None, peer_low, peer_mid, peer_high}] oldest first."""
    left, right, top, bottom = 34, width - 16, 8, height - 22
    n = max(len(points), 2)
    xs = [_scale(i, 0, n - 1, left, right) for i in range(len(points))]
    if len(points) == 1:  # the first month: its dot mid-chart, not against the axis
        xs = [(left + right) / 2]
    values = [p[k] for p in points for k in ("trust", "peer_low", "peer_high") if p.get(k) is not None]
    lo = min([40.0, *values]) // 10 * 10
    hi = 100.0
    y = lambda v: round(_scale(v, lo, hi, bottom, top), 1)  # noqa: E731
    line = " ".join(f"{xs[i]:.1f},{y(p['trust'])}" for i, p in enumerate(points) if p.get("trust") is not None)
    markers = [(round(xs[i], 1), y(p["trust"]), f"{p['trust']:.1f}") for i, p in enumerate(points) if p.get("trust") is not None]
    upper = [(xs[i], y(p["peer_high"])) for i, p in enumerate(points) if p.get("peer_high") is not None]
    lower = [(xs[i], y(p["peer_low"])) for i, p in enumerate(points) if p.get("peer_low") is not None]
    mids = [(xs[i], y(p["peer_mid"])) for i, p in enumerate(points) if p.get("peer_mid") is not None]
    if len(upper) == 1 == len(lower):  # one month of peers has no width: drawn as a short bar
        upper, lower = _widened(upper, left, right), _widened(lower, left, right)
    if len(mids) == 1:
        mids = _widened(mids, left, right)
    band = " ".join(f"{x:.1f},{v}" for x, v in upper + lower[::-1])
    median = " ".join(f"{x:.1f},{v}" for x, v in mids)
    y_ticks = [(y(v), f"{v:.0f}") for v in range(int(lo), 101, 10 if hi - lo <= 60 else 20)]
    x_ticks = [(round(xs[i], 1), p["month"].strftime("%b %y")) for i, p in enumerate(points) if i % 2 == (len(points) - 1) % 2]
    grade_lines = [(y(v), g) for g, v in (grades or {}).items() if lo <= v <= hi]
    # The label sits up and left of the last point, where a line that fell into it crossed it
    # (review): it goes below the point then, room allowing.
    fell = len(markers) >= 2 and markers[-2][1] < markers[-1][1] and markers[-1][1] + 9 <= bottom
    return TrendChart(width, height, line, markers, band, median, Axis(y_ticks), Axis(x_ticks), grade_lines,
                      label_dy=9.0 if fell else -5.0)


def _widened(points: list[tuple[float, float]], left: float, right: float, half: float = 14.0) -> list[tuple[float, float]]:
    """A point as a horizontal segment up to `half` px either side of it, within the plot."""
    return [(min(max(x + dx, left), right), v) for x, v in points for dx in (-half, half)]


def sparkline(values: list[float | None], width: int = 70, height: int = 16, lo: float | None = None) -> str:
    """Polyline points of a small trend line; months without a score are skipped."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    # One scale for every vendor (the table compares them): `lo`..100, lower scores clipped.
    lo, hi = SPARK_RANGE[0] if lo is None else lo, SPARK_RANGE[1]
    values = [None if v is None else max(lo, min(hi, v)) for v in values]
    n = len(values)
    return " ".join(
        f"{_scale(i, 0, n - 1, 1, width - 1):.1f},{_scale(v, lo, hi, height - 2, 2):.1f}"
        for i, v in enumerate(values) if v is not None
    )


SPARK_RANGE = (40.0, 100.0)


def spark_floor(histories: list[list[float | None]]) -> float:
    """The bottom of the trend lines' shared scale: 40, or lower (by tens) when some trust in the
    table is lower: a portfolio scoring 1 to 12 drew every line flat along the bottom."""
    lowest = min((v for h in histories for v in h if v is not None), default=SPARK_RANGE[0])
    return min(SPARK_RANGE[0], lowest // 10 * 10)


@dataclass
class MilestoneChart:
    width: int
    height: int
    line: str  # the promised date (y) as said on each date (x)
    diagonal: str  # y = x: a promise slipping day for day runs along it
    points: list[tuple[float, float, str]]  # (x, y, label)
    end: tuple[float, float, str, float] | None  # shipped / cancelled marker: x, y, label, the label's y
    x_axis: Axis
    y_axis: Axis
    standing: tuple[float, float, str, str] | None = None  # the last promise's label: x, y, text, anchor


def milestone_chart(events: list[dict], as_of: date, width: int = 250, height: int = 120) -> MilestoneChart | None:
    """Milestone trend: each statement's promised ship date against the date it was made."""
    promises = [(e["event_date"], e["promised"]) for e in events if e.get("promised") is not None]
    if not promises:
        return None
    ends = [e for e in events if e["event"] in ("shipped", "cancelled")]
    # The month's end extends an open announcement's line to it; an ended one's chart spans its own
    # events (review: one shipped in January drew its whole story in the first tenth of a chart to November).
    said = [d for d, _ in promises] + [e["event_date"] for e in ends] + ([] if ends else [as_of])
    lo = min(min(said), min(p for _, p in promises))
    hi = max(max(said), max(p for _, p in promises))
    # Headroom above the latest date: the promise most often is it, and its line ran along the frame's
    # top edge, unlabelled between two month marks (review).
    hi = date.fromordinal(min(hi.toordinal() + max(2, (hi.toordinal() - lo.toordinal()) // 8), date.max.toordinal()))
    left, right, top, bottom = 40, width - 14, 6, height - 18  # room for a tick label centred at the right edge
    o = lambda d: d.toordinal()  # noqa: E731
    x = lambda d: round(_scale(o(d), o(lo), o(hi), left, right), 1)  # noqa: E731
    y = lambda d: round(_scale(o(d), o(lo), o(hi), bottom, top), 1)  # noqa: E731
    steps = []
    for i, (d, p) in enumerate(promises):
        if i:
            steps.append(f"{x(d)},{y(promises[i - 1][1])}")
        steps.append(f"{x(d)},{y(p)}")
    last_x = x(ends[0]["event_date"]) if ends else x(as_of)
    steps.append(f"{last_x},{y(promises[-1][1])}")
    end = None
    if ends:
        # The label beside the marker, on the side away from the line: level with it, the line ran
        # through a marker a few days off its promise and struck the word out (review).
        end_y, line_y = y(ends[0]["event_date"]), y(promises[-1][1])
        end = (x(ends[0]["event_date"]), end_y, ends[0]["event"],
               end_y - 4 if end_y <= line_y else end_y + 8)
    marks = _date_marks(lo, hi)
    ticks = [(x(d), label) for d, label in marks]
    yticks = [(y(d), label) for d, label in marks]
    # An open announcement's standing promise, written above the line's end (left of it near the right
    # edge); a shipped or cancelled one has its end marked instead.
    anchor = "end" if last_x > (left + right) / 2 else "start"
    standing = None if ends else (last_x if anchor == "end" else x(promises[-1][0]), y(promises[-1][1]) - 3,
                                  promises[-1][1].isoformat(), anchor)
    return MilestoneChart(
        width, height, " ".join(steps), f"{left},{bottom} {right},{top}",
        [(x(d), y(p), p.isoformat()) for d, p in promises], end, Axis(ticks), Axis(yticks), standing,
    )


def _date_marks(lo: date, hi: date) -> list[tuple[date, str]]:
    """Axis marks between two dates: years when the span is long, quarters or months when short."""
    months = (hi.year - lo.year) * 12 + hi.month - lo.month
    step = next(s for s in (1, 3, 6, 12, 24, 60) if months / s <= 5)
    marks, d = [], date(lo.year, 1, 1)
    while d <= hi:
        if d >= lo and (d.month - 1) % step == 0:
            marks.append((d, str(d.year) if step >= 12 else d.strftime("%b %y")))
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    if len(marks) < 2:  # a story of a few weeks crosses one month's start or none: its two ends, by day
        marks = [(lo, f"{lo.day} {lo:%b}"), (hi, f"{hi.day} {hi:%b}")]
    return marks
