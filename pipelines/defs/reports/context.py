"""Everything a report shows, read from the database for one month: plain dicts for the templates."""
from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

import duckdb

from ...lib.db import install_macros
from ...lib.months import add_months
from ...lib.sql import load_sql
from ..scorecard.build import data_as_of
from ..scorecard.model import TrustModel, load_model
from .charts import milestone_chart, spark_floor, sparkline, trend_chart
from .explain import findings, improvements, month_blend

# Columns of the scorecard whose category median is shown beside the vendor's own value.
PEER_METRICS = ["on_time_rate", "in_full_rate", "defect_free_rate", "median_days_late", "median_hours_to_acknowledge",
                "resolved_on_time_rate", "delivery_score", "promise_score", "recovery_score", "trust_score"]
SMALL_SAMPLE = 10  # fewer deliveries than this in a month: the score leans on the category prior
# A vendor's PDF is shared with the vendor: a peer statistic it shows must stand for at least this
# many other vendors. In a category of two the "median" was the mean of the two, and each vendor
# could work out the other's exact rates from its own PDF (review). A smaller category is compared
# with the whole portfolio; a statistic with fewer vendors behind it is not shown.
MIN_PEERS = 5
# Evidence rows a PDF table lists (the worst first); the HTML twin and the CSVs embedded in the
# PDF hold every one.
PDF_EVIDENCE_ROWS = 25
# Vendor rows the executive PDF's table prints at most: beyond this (a marketplace's thousands of
# vendors, 150 pages) it prints the best and worst of each category and one line for those
# between; every vendor is in the CSV embedded in the PDF and in the HTML twin.
EXECUTIVE_TABLE_ROWS = 300
EXECUTIVE_TABLE_EACH_END = 10  # then at most this many best, and as many worst, of each category


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def month_label(month: date) -> str:
    return month.strftime("%B %Y")


def latest_scored_months(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[tuple[str, date]]:
    """Each vendor with a trust score in months first..last, and the month of its PDF: `last` when
    it has trust then; else its last month with data in the range (trust is held through silent
    months, so that month's PDF shows the same trust and the records behind it, where the last
    month trust was held, up to 11 months later, showed "nothing was due"), else its last month
    with trust."""
    return [(v, m) for v, m in con.execute(
        """SELECT vendor_id, CASE WHEN max(month) = $last THEN $last
                                  ELSE coalesce(max(month) FILTER (WHERE month_score IS NOT NULL), max(month)) END
           FROM scorecard WHERE month BETWEEN $first AND $last AND trust_score IS NOT NULL
           GROUP BY vendor_id ORDER BY vendor_id""", {"first": first, "last": last}).fetchall()]


def _trend(con: duckdb.DuckDBPyConnection, vendor_id: str, category: str | None, month: date) -> list[dict]:
    """The vendor's trust over 12 months with its peers' band: its category's vendors, or every
    vendor when vendors.csv gives it no category (as the scorecard compares it); a month with
    fewer than MIN_PEERS other vendors scored has no band."""
    return _dicts(con, """
        WITH months AS (SELECT unnest(range(?::TIMESTAMP, ?::TIMESTAMP + INTERVAL 1 MONTH, INTERVAL 1 MONTH))::DATE AS month),
        peers AS (
          SELECT month, quantile_cont(trust_score, 0.25) AS peer_low, median(trust_score) AS peer_mid,
                 quantile_cont(trust_score, 0.75) AS peer_high
          FROM scorecard JOIN vendors USING (vendor_id)
          WHERE scorecard.category = coalesce(?, scorecard.category) AND month BETWEEN ? AND ?
            AND NOT coalesce(is_self, false) GROUP BY month
          HAVING count(trust_score) FILTER (WHERE vendor_id <> ?) >= ?)
        SELECT m.month, s.trust_score AS trust, s.month_score, p.peer_low, p.peer_mid, p.peer_high
        FROM months m LEFT JOIN scorecard s ON s.month = m.month AND s.vendor_id = ?
        LEFT JOIN peers p ON p.month = m.month ORDER BY m.month""",
        [add_months(month, -11), month, category, add_months(month, -11), month, vendor_id, MIN_PEERS, vendor_id])


def peer_category(con: duckdb.DuckDBPyConnection, vendor_id: str, category: str | None, month: date) -> str | None:
    """The category the vendor's PDF compares it with: its own when at least MIN_PEERS other
    vendors of it are scored this month, else None (the whole portfolio)."""
    if category is None:
        return None
    others = con.execute("""SELECT count(*) FROM scorecard JOIN vendors USING (vendor_id)
                            WHERE scorecard.category = ? AND month = ? AND vendor_id <> ? AND trust_score IS NOT NULL
                              AND NOT coalesce(is_self, false)""", [category, month, vendor_id]).fetchone()[0]
    return category if others >= MIN_PEERS else None


def _peer_stats(con: duckdb.DuckDBPyConnection, vendor_id: str, category: str | None, month: date) -> dict:
    # A median only when at least MIN_PEERS other vendors have the figure (days late: those late).
    medians = ", ".join(f"CASE WHEN count({c}) FILTER (WHERE vendor_id <> $vendor) >= $k THEN median({c}) END AS {c}"
                        for c in PEER_METRICS)
    # Peers are the category's vendors (every vendor for one without a category, as the scorecard
    # compares it); our own company is never one (but is ranked among them).
    stats = _dicts(con, f"""SELECT count(*) AS vendors, {medians} FROM scorecard JOIN vendors USING (vendor_id)
                           WHERE scorecard.category = coalesce($category, scorecard.category) AND month = $month
                             AND NOT coalesce(is_self, false)""",
                   {"vendor": vendor_id, "k": MIN_PEERS, "category": category, "month": month})[0]
    # Ranked by the trust printed (one decimal): 99.97 and 100.0 both print 100.0, and were "4 of 4,
    # lowest in the category" beside three at 100.0 (review).
    rank = _dicts(con, """
        SELECT rank, scored, tied FROM (
          SELECT vendor_id, rank() OVER (ORDER BY round(trust_score, 1) DESC) AS rank,
                 count(trust_score) OVER () AS scored, count(*) OVER (PARTITION BY round(trust_score, 1)) AS tied
          FROM scorecard JOIN vendors USING (vendor_id)
          WHERE scorecard.category = coalesce(?, scorecard.category) AND month = ? AND trust_score IS NOT NULL
            AND (NOT coalesce(is_self, false) OR vendor_id = ?))
        WHERE vendor_id = ?""", [category, month, vendor_id, vendor_id])
    stats["rank"], stats["scored"], tied = (rank[0]["rank"], rank[0]["scored"], rank[0]["tied"]) if rank else (None, 0, 0)
    stats["percentile"] = (
        round(100 * (stats["scored"] - stats["rank"]) / max(stats["scored"] - 1, 1)) if stats["rank"] else None
    )
    group = "category" if category else "portfolio"
    stats["percentile_text"] = (f"the only vendor scored in the {group}" if stats["scored"] == 1 else
                                f"tied with {tied - 1} other{'s' if tied > 2 else ''}" if tied > 1 else
                                _percentile_text(stats["percentile"], group))
    return stats


def _announcements(con: duckdb.DuckDBPyConnection, vendor_id: str, month: date) -> list[dict]:
    month_end = add_months(month, 1)
    rows = _dicts(con, load_sql("reports/vendor_announcements"), {"vendor": vendor_id, "month": month})
    for row in rows:
        events = row["events"]
        end = next((e for e in events if e["event"] in ("shipped", "cancelled")), None)
        # Statements made after it shipped or was cancelled are no promise (as the metrics read them).
        promises = [e["promised"] for e in events if e["promised"] is not None
                    and (end is None or e["event_date"] < end["event_date"])]
        row["latest_promise"] = promises[-1] if promises else None
        row["shipped_on"] = end["event_date"] if end and end["event"] == "shipped" else None
        for e in events:  # shown in the evidence, marked as not counted
            e["after_end"] = e["event"] in ("announced", "revised") and end is not None \
                and e["event_date"] >= end["event_date"]
        # Re-dates: `revised` events, and `announced` ones on a later day than the first, made
        # before it shipped or was cancelled.
        row["redates"] = sum(1 for e in events if not e["after_end"] and (
            e["event"] == "revised" or (e["event"] == "announced" and e["event_date"] > row["announced_on"])))
        row["slip_days"] = (promises[-1] - promises[0]).days if promises else 0
        if end and end["event"] == "shipped":
            row["status"] = "shipped on time" if end["event_date"] <= row["first_promise"] else "shipped late"
        elif end:
            row["status"] = "cancelled"
        elif row["first_promise"] < month_end:
            row["status"] = "overdue"
        elif promises and promises[-1] > row["first_promise"]:
            row["status"] = "slipped"  # moved past its first date before it came: broken already
        else:
            row["status"] = "not yet due"
        row["chart"] = milestone_chart(events, min(add_months(month, 1), date.max))
    return rows


def _quarantine_kinds(con: duckdb.DuckDBPyConnection, params: dict) -> list[dict]:
    """sql/reports/month_quarantine.sql, on a connection that may not have the macros yet (a
    reader of the tables; `reason_kind` groups the reasons)."""
    install_macros(con)
    return _dicts(con, load_sql("reports/month_quarantine"), params)


def _percentile_text(p: int | None, group: str = "category") -> str:
    if p is None:
        return ""
    if p >= 100:
        return f"highest in the {group}"
    if p <= 0:
        return f"lowest in the {group}"
    suffix = "th" if 10 <= p % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(p % 10, "th")
    return f"{p}{suffix} percentile"


FINDINGS_SHOWN = 4  # "what moved the score" in full; the rest summed in one line


def _lost_to_the_prior(card: dict, moved: list) -> float | None:
    """The month's points lost that no fact of the vendor's explains: the category's average
    records added to its own (docs/metrics.md, shrinkage) are not perfect either, and weigh most
    beside few records (review: 2 deliveries, facts of 13.6 points for a month 23.5 below 100).
    None below a point, or when the facts already charge more than the month lost."""
    if card["month_score"] is None:
        return None
    rest = 100 - card["month_score"] - sum(f.points for f in moved if f.points >= 0.05)
    return rest if rest >= 1.0 else None


def vendor_context(con: duckdb.DuckDBPyConnection, vendor_id: str, month: date, model: TrustModel,
                   as_of: date | None = None) -> dict:
    """`as_of`: the run's as-of date (the reader's today, after which an open complaint can still be
    resolved on time); the data's last day when not given."""
    vendor = _dicts(con, "SELECT * EXCLUDE (_source_file, _row_number, _extra) FROM vendors WHERE vendor_id = ?", [vendor_id])[0]
    card = _dicts(con, "SELECT * FROM scorecard WHERE vendor_id = ? AND month = ?", [vendor_id, month])[0]
    # None: no category in vendors.csv, or too few others in it: compared with every vendor
    category = peer_category(con, vendor_id, vendor["category"], month)
    trend = _trend(con, vendor_id, category, month)
    complaints = _dicts(con, load_sql("reports/vendor_complaints"), {"vendor": vendor_id, "month": month})
    late = _dicts(con, load_sql("reports/vendor_late_deliveries"),
                  {"vendor": vendor_id, "month": month, **model.metric_params("delivery_metrics")})
    quarantine = _quarantine_kinds(con, {"month": month, "vendor": vendor_id})
    undated = _quarantine_kinds(con, {"month": None, "vendor": vendor_id})
    repeats_scored = "no_repeat" not in model.unscored_steps
    as_of = as_of or data_as_of(con)
    return {
        "vendor": vendor,
        "month": month,
        "month_label": month_label(month),
        "card": card,
        "change_shown": printed_change(card["trust_score"], card["trust_change"]),
        "peer_group": card["category"] if category else "all vendors",
        "own_category_too_small": vendor["category"] is not None and category is None,
        "min_peers": MIN_PEERS,
        "small_sample": 0 < card["deliveries_due"] < SMALL_SAMPLE,
        "held_at": held_by_own_records(card),
        # such a month can lower trust, never raise it (model.trust_path; review: the page said
        # "the trust score moves toward it" of a 62.6 month beside a trust held at 52.2)
        "complaints_only": card["month_score"] is not None and card["delivery_score"] is None
                           and card["promise_score"] is None,
        "trend": trend,
        "trend_chart": trend_chart(trend, grades=model.grades),
        "peers": _peer_stats(con, vendor_id, category, month),
        "findings": (moved := findings(card, complaints, model, as_of))[:FINDINGS_SHOWN],
        # the smaller facts past those shown, summed, so that the list adds up (review: a fifth
        # fact's points were nowhere)
        "findings_rest": [f for f in moved[FINDINGS_SHOWN:] if f.points >= 0.05],
        "findings_prior": _lost_to_the_prior(card, moved),
        "improvements": improvements(card, complaints, model, as_of)[:5],
        "late_deliveries": late,
        "pdf_rows": PDF_EVIDENCE_ROWS,
        "announcements": _announcements(con, vendor_id, month),
        # A repeat is evidence only where the model scores repeats (`[recovery] unscored_steps`)
        "complaints": [c for c in complaints if c["resolved_at"] is None or not c["resolved_on_time"]
                       or (c["is_repeat"] and repeats_scored)],
        "repeats_scored": repeats_scored,
        "all_complaints": complaints,
        "complaints_total": len(complaints),
        "quarantine": quarantine,
        "quarantine_total": sum(q["rows"] for q in quarantine),
        "undated": undated,
        "undated_total": sum(q["rows"] for q in undated),
        "model": model,
    }


def name_key(name: str | None) -> str:
    """A name as a reader tells it apart: compatibility forms, case, spacing and invisible
    characters ignored ('Ac\u200bme  CORP' reads as 'acme corp'; review: four such vendors printed
    as three identical 'Acme Corp' rows)."""
    text = unicodedata.normalize("NFKC", name or "")
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc")).casefold().split())


def printed_change(trust: float | None, change: float | None) -> float | None:
    """Trust's change since last month as the reports print it: this month's printed trust less
    last month's printed trust (one decimal each), so that the numbers on the page add up. The
    change rounded alone could differ by 0.1 ("▼ 1.8 since last month (from 80.0)" beside 78.1 for
    80.04 -> 78.16)."""
    if trust is None or change is None:
        return change
    return round(float(f"{trust:.1f}") - float(f"{trust - change:.1f}"), 1)


def mark_lookalikes(rows: list[dict]) -> None:
    """`show_id` on vendors whose names print alike ('Acme Corp', 'ACME CORP', 'Acme  Corp'): the
    executive PDF tells them apart by id."""
    counts = Counter(name_key(r["vendor_name"]) for r in rows)
    for r in rows:
        r["show_id"] = counts[name_key(r["vendor_name"])] > 1


def executive_context(con: duckdb.DuckDBPyConnection, month: date, model: TrustModel) -> dict:
    month_rows = _rows_of_month(con, month)
    rows = _dicts(con, """
        SELECT s.*, v.vendor_name, coalesce(v.is_self, false) AS is_self,
               p.trust_score AS prev_trust, p.grade AS prev_grade, p3.grade AS grade_3m_ago,
               -- last month's watchlist, judged as this month's (_watch_new)
               p.vendor_id IS NOT NULL AS prev_scored, p.trust_change AS prev_change, p4.grade AS grade_4m_ago,
               p.delivery_score AS prev_delivery, p.promise_score AS prev_promise, p.recovery_score AS prev_recovery,
               p.on_time_rate AS prev_on_time,
               -- rows of the month naming the vendor, left out for breaking the contract: its
               -- figures do not count them (a conflicting re-export can hide a late delivery)
               coalesce(q.rows, 0) AS rows_left_out
        FROM scorecard s JOIN vendors v USING (vendor_id)
        LEFT JOIN scorecard p ON p.vendor_id = s.vendor_id AND p.month = s.month - INTERVAL 1 MONTH
        LEFT JOIN scorecard p3 ON p3.vendor_id = s.vendor_id AND p3.month = s.month - INTERVAL 3 MONTH
        LEFT JOIN scorecard p4 ON p4.vendor_id = s.vendor_id AND p4.month = s.month - INTERVAL 4 MONTH
        LEFT JOIN (SELECT vendor_id, count(*) AS rows FROM quarantine WHERE month = ? AND feed <> 'vendors'
                   GROUP BY vendor_id) q ON q.vendor_id = s.vendor_id
        WHERE s.month = ? ORDER BY s.category, s.trust_score DESC NULLS LAST, v.vendor_name, s.vendor_id""", [month, month])
    history = _dicts(con, """SELECT vendor_id, list(trust_score ORDER BY month) AS scores FROM scorecard
                             WHERE month BETWEEN ? AND ? GROUP BY vendor_id""", [add_months(month, -11), month])
    listed = {r["vendor_id"] for r in rows if r["trust_score"] is not None and not r["is_self"]}
    floor = spark_floor([h["scores"] for h in history if h["vendor_id"] in listed])
    sparks = {h["vendor_id"]: sparkline(h["scores"], lo=floor) for h in history}
    mark_lookalikes(rows)
    for r in rows:
        # every change this report prints, ranks or judges is the one that adds up with the scores printed
        r["trust_change"] = printed_change(r["trust_score"], r["trust_change"])
        r["prev_change"] = printed_change(r["prev_trust"], r["prev_change"])
        r["spark"] = sparks.get(r["vendor_id"], "")
        r["reason"] = _mover_reason(r, model.weights)
        r["watch"] = _watch_reason(r) if r["trust_score"] is not None else ""
        r["weakest"] = _weakest_pillar(r) if r["watch"] else ""
        r["watch_new"] = _watch_new(r)
        r["small_sample"] = 0 < r["deliveries_due"] < SMALL_SAMPLE
    others = [r for r in rows if not r["is_self"]]
    scored = [r for r in others if r["trust_score"] is not None]
    moved = [r for r in scored if r["trust_change"] is not None]
    categories = _by_category(scored)
    pdf_categories, pdf_categories_left = _condensed(categories, EXECUTIVE_TABLE_ROWS)
    return {
        "month": month,
        "month_label": month_label(month),
        "portfolio": _portfolio(con, month),
        # no vendor has a month before this one: nothing moved, nobody is new (review: "0 new this
        # month" and "No vendor's trust rose" on the first month scored)
        "first_month": bool(scored) and not moved,
        "improvers": movers(moved, +1),
        "decliners": movers(moved, -1),
        "mover_points": MOVER_POINTS,
        "watchlist": (watched := [r for r in scored if r["watch"]]),
        "watch_shown": watch_shown(watched),
        "watch_new": sum(1 for r in scored if r["watch_new"] == "new"),
        "watch_falling": sum(1 for r in scored if r["watch_new"] == "falling"),
        # the month's recovery figures still inside their response window (review: only the vendor
        # PDFs said so; the executives read movers that later runs may revise)
        "provisional": any(r["provisional"] for r in scored),
        # deliveries of the month still open at the data's last day: late now, in full and without
        # rejects once delivered, so later runs raise the month (review: a quarter of a month's
        # deliveries open drove its fall while the page named only the complaints as provisional)
        "open_deliveries": sum(r["open_past_due"] or 0 for r in others),
        "deliveries_due": sum(r["deliveries_due"] or 0 for r in others),
        "data_as_of": data_as_of(con),
        # Vendors with no data in the last 12 months are counted, not listed: a table of
        # "no data" rows would bury the ones that matter.
        "categories": categories,
        "pdf_categories": pdf_categories,
        "pdf_categories_left": pdf_categories_left,
        "condensed": len(scored) > EXECUTIVE_TABLE_ROWS,
        # the legend explains * and † only when a row carries them (review: "†" explained, none printed)
        "marked_small": any(r.get("small_sample") for r in scored),
        "marked_left_out": any(r.get("rows_left_out") for r in scored),
        "marked_watch": any(r.get("watch") for r in scored),
        "marked_vaporware": any(r.get("vaporware") for r in scored),
        "scored_total": len(scored),
        "silent": len(others) - len(scored),
        "spark_floor": floor,
        "own_company": next((r for r in rows if r["is_self"]), None),
        "vaporware": _dicts(con, load_sql("reports/month_vaporware"), {"month": month}),
        # Vendors, as every other count of the page (review: 11 "vendors" counted our own company)
        "vaporware_vendors": sum(1 for r in scored if r["vaporware"]),
        # Named where nothing slipped this month, so that the tile's count is not left unexplained.
        "vaporware_names": [r["vendor_name"] for r in scored if r["vaporware"] and not r["is_self"]],
        "self_vaporware": any(r["is_self"] and r["trust_score"] is not None and r["vaporware"] for r in rows),
        "redemption": (_dicts(con, load_sql("reports/month_redemption"), {"month": month}) or [None])[0],
        "quality": _month_quality(con, month),
        "feeds_gone_quiet": _feeds_gone_quiet(con, month, month_rows),
        "no_data": not any(month_rows.values()),
        # announcement events made in the month: the data-quality line counts announcements under
        # the month they fall due, so a month of events alone has no row of its own there
        "events_of_month": month_rows.get("announcements", 0),
        # A portfolio without an announcement up to the month read "0 promises slipped", as if every
        # promise had been kept (review: the CFPB portfolio, complaints alone)
        "announcements_known": con.execute("SELECT EXISTS (FROM announcement_events WHERE event_date < ?)",
                                           [add_months(month, 1)]).fetchone()[0],
        "quality_reasons": _quarantine_kinds(con, {"month": month, "vendor": None})[:5],
        "undated_rows": con.execute("SELECT count(*) FROM quarantine WHERE month IS NULL").fetchall()[0][0],
        "model": model,
    }


def _portfolio(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    """The mean trust of the scored vendors, and the mean change over those scored in both months
    (a vendor entering or leaving the mean would otherwise move it while no one's trust moved)."""
    # trust_change is computed with the month (from the data, not from stored rows), so this
    # holds whichever earlier months were materialised.
    return _dicts(con, """
        SELECT avg(s.trust_score) AS score, count(s.trust_score) AS scored, count(*) AS vendors,
               avg(s.trust_change) AS change, count(s.trust_change) AS compared,
               -- last month not in the scorecard (before the first month scored): its trust was
               -- computed from its facts, as every month's is, but no report shows it
               NOT EXISTS (SELECT 1 FROM scorecard WHERE month = ?::DATE - INTERVAL 1 MONTH) AS last_month_unshown
        FROM scorecard s JOIN vendors v USING (vendor_id)
        WHERE NOT coalesce(v.is_self, false) AND s.month = ?""", [month, month])[0]


GRADE_ORDER = "ABCDF"
WATCH_DROP = 3.0  # a fall of this many trust points in one month puts a vendor on the watchlist
# The least change of trust that makes a vendor one of the month's movers: a tenth of a point is
# its peers' month, not its own (review: a vendor that re-dated and cancelled "improved most", +0.1).
MOVER_POINTS = 0.5


def movers(rows: list[dict], sign: int, top: int = 3) -> list[dict]:
    """The `top` vendors whose trust moved most in the direction of `sign` (+1 up, -1 down), by
    MOVER_POINTS at least."""
    # judged as printed (one decimal): a change of 0.46 shows as +0.5
    return sorted((r for r in rows if round(sign * r["trust_change"], 1) >= MOVER_POINTS),
                  key=lambda r: -sign * r["trust_change"])[:top]


def _fell_two_grades(r: dict) -> bool:
    if not r["grade"] or not r["grade_3m_ago"]:
        return False
    return GRADE_ORDER.index(r["grade"]) - GRADE_ORDER.index(r["grade_3m_ago"]) >= 2


WATCH_SHOWN, NEWS_SHOWN = 5, 3  # page 1's watchlist: entries in all, at most this many new or falling


def watch_shown(watchlist: list[dict]) -> list[dict]:
    """The watchlist entries page 1 prints: those new on it or falling further (up to NEWS_SHOWN,
    lowest trust first), then the lowest trust of all the others, WATCH_SHOWN in all. Reviews: with
    five new or falling, the three F vendors (trust 44.7, 52.3, 54.5) were not on page 1; with three
    new, four falling vendors of trust 18.7-24.9 (the portfolio's lowest) were not, and one at 43.8
    neither new nor falling was."""
    by_trust = sorted(watchlist, key=lambda r: r["trust_score"])
    first = [r for r in by_trust if r["watch_new"]][:NEWS_SHOWN]
    return first + [r for r in by_trust if r not in first][:WATCH_SHOWN - len(first)]


def _dropped(change: float | None) -> bool:
    """A fall of WATCH_DROP points or more, as printed (one decimal): "▼ 3.0" for -2.974 beside
    another "▼ 3.0" on the watchlist read as two rules (review)."""
    return change is not None and round(change, 1) <= -WATCH_DROP


def _watch_reason(r: dict) -> str:
    """Why a vendor is on the watchlist ("" when it is not): its grade, a fall of two grades in
    three months, or a fall of WATCH_DROP points this month."""
    reasons = []
    if r["grade"] in ("D", "F"):
        reasons.append(f"grade {r['grade']}")
    if _fell_two_grades(r):
        reasons.append(f"{r['grade_3m_ago']} three months ago")
    if _dropped(r["trust_change"]):
        reasons.append(f"down {-r['trust_change']:.1f} points this month")
    return ", ".join(reasons)


def _watch_new(r: dict) -> str:
    """Whether a watched vendor is new on the watchlist ("new": not on last month's) or falling
    further ("falling": on it, and down WATCH_DROP points or more); "" otherwise, and in the first
    month scored, which has no list before it. With most of a strict portfolio graded D, the list
    alone did not say whom to worry about now (review: 26 of 40 on it). Last month's list is judged
    by the same rules (review: a vendor graded C both months, on the list for falling in each, was
    "new" twice)."""
    if not r["watch"] or not r["prev_scored"]:
        return ""
    last = {"grade": r["prev_grade"], "grade_3m_ago": r["grade_4m_ago"], "trust_change": r["prev_change"]}
    if not r["prev_grade"] or not _watch_reason(last):
        return "new"
    return "falling" if _dropped(r["trust_change"]) else ""


def _weakest_pillar(r: dict) -> str:
    """What is wrong with a watched vendor: its lowest pillar this month, with its records (review:
    the watchlist said how trust moved, "trust is repaired slowly", not why the grade is an F)."""
    scored = [(r[f"{p}_score"], p) for p in ("delivery", "promise", "recovery") if r[f"{p}_score"] is not None]
    if not scored:
        return ""
    score, pillar = min(scored)
    if pillar == "delivery" and r["on_time_rate"] is not None:
        # of how many: "on time 0%" of one delivery read as the portfolio's worst supplier (review)
        detail = (f" (on time {r['on_time_rate']:.0%} of {r['deliveries_due']}"
                  + (f", in full {r['in_full_rate']:.0%}" if r.get("in_full_rate") is not None else "") + ")")
    else:
        detail = _pillar_detail(r, pillar)
    return f"weakest: {pillar} {score:.0f}{detail}"


def held_by_own_records(card: dict) -> float | None:
    """The trust a month left where it was because its own records and its score fall on either
    side of it (model.trust_path), or None: the vendor's tile and the executive's line say so."""
    score, own, trust, change = (card.get(k) for k in ("month_score", "own_month_score", "trust_score", "trust_change"))
    if None in (score, own, trust, change) or abs(change) >= 0.05:
        return None
    before = trust - change
    return before if abs(score - before) >= 0.05 and (score - before) * (own - before) <= 0 else None


def _held_reason(r: dict) -> str:
    """Why trust did not move in a month with a score (model.trust_path)."""
    if r["delivery_score"] is None and r["promise_score"] is None and r["month_score"] >= r["prev_trust"]:
        return "trust held: complaints alone can lower trust, never raise it"
    if (before := held_by_own_records(r)) is not None:
        own = r["own_month_score"]
        side, verb = ("above", "lower") if own >= before else ("below", "raise")
        return f"trust held: its own records alone score {own:.1f}, {side} its trust of {before:.1f}, so this month cannot {verb} it"
    return "a month like its remembered score: trust held"


def _mover_reason(r: dict, weights: dict[str, float] | None = None) -> str:
    """One line: why trust moved, by the pillar behind it (`_changed_pillar`, else `_driving_pillar`; the trust
    model's pillar weights; the configured model's when not given)."""
    if r["trust_change"] is None:
        return "first month with a score"
    if r["prev_trust"] is None:  # last month's row was not materialised; the change was computed
        return f"trust {r['trust_change']:+.1f} since last month"
    if r["month_score"] is None:
        return "no data: trust held where it was"  # after "this month: " on the page
    if abs(r["trust_change"]) < 0.05:
        return _held_reason(r)
    up = r["trust_change"] > 0
    weights = weights or load_model().weights
    changed = _changed_pillar(r, up, weights)
    if changed is not None:
        return _change_told(r, changed)
    # No pillar's change since last month made the move: the month's level did (trust moves toward
    # it). A pillar's move is told only when at least half as large as trust's: "promise score 38.5
    # → 37.5" beside a fall of 10 named a move that did not make it (review).
    pillar = _driving_pillar(r, up, weights)
    if pillar is None:
        return ("a better month than its remembered score: trust is repaired slowly" if up
                else "a weaker month than its remembered score: trust falls fast")
    if r[f"prev_{pillar}"] is None:
        return _change_told(r, pillar)
    side = "" if pillar == "recovery" else f", {'above' if up else 'below'} its trust of {r['prev_trust']:.0f}"
    return f"{pillar} score {r[f'{pillar}_score']:.0f}{side}" + _pillar_detail(r, pillar)


def _changed_pillar(r: dict, up: bool, weights: dict[str, float]) -> str | None:
    """The pillar whose change since last month (new, moved or gone) moved the month's score most
    the way trust moved, when that change alone is at least half of the month's distance from last
    month's trust: the month as it is against the month with that pillar as it was last month
    (month_blend). Review: falls blamed on complaints where deliveries collapsed ("recovery score
    65" where on time went 100% -> 56%: with last month's deliveries the month was above trust),
    rises credited to a delivery score up 3 where last month's complaints were gone (+15)."""
    now = {p: r[f"{p}_score"] for p in PILLARS}
    month = month_blend({}, weights, **now)
    gap = month - r["prev_trust"]
    effects = {}
    for p in PILLARS:
        if now[p] is None and r[f"prev_{p}"] is None:
            continue
        before = {**now, p: r[f"prev_{p}"]}
        base = month_blend({}, weights, **before) if any(v is not None for v in before.values()) else r["prev_trust"]
        effects[p] = month - base
    told = {p: e for p, e in effects.items() if (e > 0 if up else e < 0) and abs(e) >= 0.5 * abs(gap) and abs(e) >= 1.0}
    return max(told, key=lambda p: abs(told[p])) if told else None


def _change_told(r: dict, pillar: str) -> str:
    """A pillar's change since last month in words: new, gone, or from one score to another."""
    before, now = r[f"prev_{pillar}"], r[f"{pillar}_score"]
    if now is None:  # "none this month" read as a score of 0 (review): what is missing leads
        return f"{GONE_WHY[pillar]} this month ({pillar} score {before:.0f} last month)"
    if before is None:
        return f"{pillar} score {now:.0f}, no data last month" + _pillar_detail(r, pillar)
    # "delivery score 77 → 91", not "delivery +14", which read like a change of trust.
    digits = 0 if round(before) != round(now) else 1  # "77 → 77" for 76.6 → 77.2 says nothing
    return f"{pillar} score {before:.{digits}f} → {now:.{digits}f}" + _pillar_detail(r, pillar)


def _driving_pillar(r: dict, up: bool, weights: dict[str, float]) -> str | None:
    """When no pillar's change made trust's move (`_changed_pillar`), of the pillars new or moved the
    way trust moved, the one whose level pulls the month's score furthest from last month's trust
    that way (none: the month's level alone, "trust is repaired slowly"): the blend's pillars by
    their shares, the complaints by their deduction (sql/macros.sql month_blend). Review: "delivery
    score 94 → 85" named for a fall the month's complaints made whole (delivery stayed above trust)."""
    trust = r["prev_trust"]
    blend = {p: weights[p] for p in ("delivery", "promise") if r[f"{p}_score"] is not None}
    pulls = {p: w / sum(blend.values()) * (r[f"{p}_score"] - trust) for p, w in blend.items()}
    if r["recovery_score"] is not None:  # a deduction: it only ever lowers the month
        pulls["recovery"] = (-weights["recovery"] * (100 - r["recovery_score"]) / (sum(blend.values()) + weights["recovery"])
                             if blend else r["recovery_score"] - trust)
    moved = [p for p in pulls if r[f"prev_{p}"] is None
             or (r[f"{p}_score"] - r[f"prev_{p}"] > 0.5 if up else r[f"{p}_score"] - r[f"prev_{p}"] < -0.5)]
    toward = [p for p in moved if (pulls[p] > 0 if up else pulls[p] < 0)]
    return max(toward, key=lambda p: abs(pulls[p])) if toward else None


PILLARS = ("delivery", "promise", "recovery")
GONE_WHY = {"delivery": "no delivery due", "promise": "no announcement judged", "recovery": "no complaints"}


def _same_way(change: float, r: dict, pillar: str) -> bool:
    """Whether a rate moved the way its pillar's score did (review: "delivery score 79 → 75 (on
    time 83%, was 81%)": on time rose while short deliveries sank the score). True when the
    pillar's move is not known (a pillar new this month)."""
    before, now = r.get(f"prev_{pillar}"), r.get(f"{pillar}_score")
    return before is None or now is None or (change > 0) == (now > before)


def _pillar_detail(r: dict, pillar: str) -> str:
    """The records behind a pillar's move, in brackets (or nothing)."""
    if pillar == "delivery" and r["on_time_rate"] is not None and r["prev_on_time"] is not None \
            and round(r["on_time_rate"], 2) != round(r["prev_on_time"], 2) \
            and _same_way(r["on_time_rate"] - r["prev_on_time"], r, pillar):  # else in full or rejects moved it
        return f" (on time {r['on_time_rate']:.0%}, was {r['prev_on_time']:.0%})"
    if pillar == "delivery":
        return ""
    if pillar == "recovery":
        n = r["complaints_opened"]
        return f" ({n} complaint{'s' if n != 1 else ''} this month)"
    if pillar == "promise":
        # kept, not broken: "3 of 13 overdue or cancelled" read as 10 fine beside a score of 36, the
        # rest shipped late (review)
        n = r["announcements_due_12m"]
        return f" ({r['announcements_kept_12m']} of {n} announcement{'s' if n != 1 else ''} kept on time)"
    return ""


def _by_category(rows: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["category"], []).append(r)
    return [{"name": name, "vendors": vendors} for name, vendors in sorted(groups.items())]


def _condensed(categories: list[dict], limit: int) -> tuple[list[dict], dict | None]:
    """The rows the PDF's table prints per category, and what it leaves out.

    Every vendor while all fit in `limit` rows; beyond that the k best and k worst of each category
    (already sorted by trust) and, between them, one row saying how many were left out, their trust
    range and how many are on the watchlist. When the categories alone are too many for the limit
    (hundreds of small ones), only the categories with the most vendors on the watchlist are printed
    (alphabetically), and the rest is counted: categories, vendors, watched vendors."""
    if sum(len(c["vendors"]) for c in categories) <= limit:
        return [{"name": c["name"], "rows": c["vendors"]} for c in categories], None
    k = max(2, min(EXECUTIVE_TABLE_EACH_END, limit // (2 * len(categories))))
    condensed = []
    for c in categories:
        rows = c["vendors"]
        if len(rows) > 2 * k + 2:  # a gap row hides at least 3 vendors, or it saves nothing worth a line
            rows = [*rows[:k], _gap(rows[k:-k]), *rows[-k:]]
        condensed.append({"name": c["name"], "rows": rows, "vendors": c["vendors"]})
    return _fewest_categories(condensed, limit)


def _gap(between: list[dict]) -> dict:
    # the vendors marked † in the table, counted where they are not printed (review)
    return {"_gap": len(between), "high": between[0]["trust_score"], "low": between[-1]["trust_score"],
            "watch": sum(1 for r in between if r["watch"]), "left_out": sum(1 for r in between if r.get("rows_left_out"))}


def _fewest_categories(condensed: list[dict], limit: int) -> tuple[list[dict], dict | None]:
    """Keep whole categories, those with the most watched vendors first, while they fit in `limit`
    rows (a category's name is a row too); at least one is always printed."""
    def watched(c: dict) -> int:
        return sum(1 for r in c["vendors"] if r["watch"])

    ranked = sorted(condensed, key=lambda c: (-watched(c), -len(c["vendors"]), c["name"]))
    kept, used = [], 0
    for c in ranked:
        size = 1 + len(c["rows"])
        if kept and used + size > limit:
            break
        kept.append(c)
        used += size
    kept_names = {c["name"] for c in kept}
    printed = [{"name": c["name"], "rows": c["rows"]} for c in condensed if c["name"] in kept_names]
    rest = ranked[len(kept):]
    if not rest:
        return printed, None
    return printed, {"categories": len(rest), "vendors": sum(len(c["vendors"]) for c in rest),
                     "watch": sum(watched(c) for c in rest)}


def data_quality_context(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    return {
        "month": month,
        "month_label": month_label(month),
        "quality": _month_quality(con, month),
        "expectations": _dicts(con, load_sql("reports/month_expectations"), {"month": month}),
        "quarantine": _quarantine_kinds(con, {"month": month, "vendor": None}),
        "unknown_month": con.execute("SELECT count(*) FROM quarantine WHERE month IS NULL").fetchall()[0][0],
    }


# A feed with at least this many rows the month before and none this month is said to be missing.
QUIET_FEED_ROWS = 100


def _feeds_gone_quiet(con: duckdb.DuckDBPyConnection, month: date, now: dict[str, int]) -> list[dict]:
    """Feeds with rows the month before (QUIET_FEED_ROWS or more) and none this month (`now`, the
    month's _rows_of_month): more often a failed export than a quiet month, and the page looked
    like any other (review)."""
    before = _rows_of_month(con, add_months(month, -1))
    return [{"feed": feed, "before": rows} for feed, rows in sorted(before.items())
            if rows >= QUIET_FEED_ROWS and not now.get(feed)]


def _rows_of_month(con: duckdb.DuckDBPyConnection, month: date) -> dict[str, int]:
    """Rows each feed holds of the month: deliveries and complaints as read (by promised date and
    opening), announcements by the events dated in it. `ingest_log` files an announcement under the
    month it falls due, so a month of events for later releases read as "no data arrived" (real
    data: 51 months with Kubernetes events said so)."""
    return dict(con.execute(
        """SELECT feed, sum(rows_read)::BIGINT FROM ingest_log WHERE month = ? AND feed IN ('deliveries', 'complaints')
           GROUP BY feed
           UNION ALL
           SELECT 'announcements', count(*) FROM announcement_events WHERE event_date >= ? AND event_date < ?""",
        [month, month, add_months(month, 1)]).fetchall())


def _month_quality(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    return _dicts(con, """SELECT feed, sum(rows_read) AS read, sum(rows_valid) AS valid,
                                 sum(rows_quarantined) AS quarantined, sum(rows_duplicate) AS duplicates
                          FROM ingest_log WHERE month = ? GROUP BY feed ORDER BY feed""", [month])
