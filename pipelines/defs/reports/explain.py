"""Why a vendor scored as it did, and what would raise the score: computed from its records and
the trust model, so every sentence traces back to rows a vendor can check.

The recovery what-ifs use the points of sql/metrics/complaint_recovery.sql (model.RECOVERY_STEPS:
acknowledged within a day 0.25, resolved by the promised date 0.30, apology 0.10, explanation 0.10,
raised by the vendor itself 0.10, restitution 0.05, not a repeat 0.10; as shares of the steps the
model scores, `TrustModel.recovery_points`); a handled complaint scores 40 + 50 x points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from ..scorecard.model import ACK_WITHIN_3_DAYS, RECOVERY_STEPS, TrustModel, moved

SLIP_CREDIT = 0.25  # credit a slip costs its announcement, down to none (sql/metrics/announcement_metrics.sql)
PULLED_MIN_POINTS = 0.5  # month points below which being pulled toward the peers is not listed


@dataclass(frozen=True)
class Finding:
    text: str
    points: float  # month-score points at stake (lost now, or gained by the action)
    evidence: str  # where in the PDF the records are
    trust_points: float | None = None  # an action's gain on the trust score (improvements only)
    trust_high: float | None = None  # the most it could be, when the month's own records cannot tell
    own_points: float | None = None  # the action's gain on the month's own records, where known
    # an action on something still open (an announcement not shipped, a complaint not yet due),
    # which can still change this month's records; the others say what the records would have
    # scored done right, the way to score higher in the months ahead
    now: bool = False


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _pillar_share(card: dict, model: TrustModel, pillar: str) -> float:
    """Month-score points per point of a pillar (docs/metrics.md, "Month score"): delivery and
    promises are blended by weight (a pillar with no data re-weights the other); recovery is a
    deduction of its weight's share times its shortfall from 100, or the month itself when the
    month has complaints alone."""
    blended = {p: model.weights[p] for p in ("delivery", "promise") if card.get(f"{p}_score") is not None}
    if pillar != "recovery":
        return blended.get(pillar, 0.0) / sum(blended.values()) if blended else 0.0
    if card.get("recovery_score") is None:
        return 0.0
    return model.weights["recovery"] / (sum(blended.values()) + model.weights["recovery"]) if blended else 1.0


def _delivery_gain(card: dict, model: TrustModel, part: str, fixed: int) -> float:
    """Month-score points if `fixed` more deliveries had met `part` (on_time / in_full / defect_free)."""
    return _delivery_gains(card, model, {part: fixed})


def _delivery_gains(card: dict, model: TrustModel, fixed: dict[str, int]) -> float:
    """Month-score points if, for each part, that many more deliveries had met it."""
    n = card["deliveries_due"]
    if not n or not any(fixed.values()):
        return 0.0
    if card.get("pool_portfolio_due") is not None and not model.delivery["spend_weighted"]:
        gain = _delivery_pillar(card, model, fixed) - _delivery_pillar(card, model, {})
    else:  # the priors held still (no pools recorded; spend-weighted parts are sums of value)
        blend = sum(model.delivery[part] * k for part, k in fixed.items()) / (n + model.priors["deliveries"])
        gain = min(100 * blend / (1 - model.delivery["floor"]), 100 - (card["delivery_score"] or 0))
    return gain * _pillar_share(card, model, "delivery")


def _delivery_pillar(card: dict, model: TrustModel, fixed: dict[str, int]) -> float:
    """The delivery pillar as sql/scorecard/scorecard_pillars.sql computes it, with `fixed` more
    deliveries meeting each part. The vendor's own deliveries are in its peers' pools, so they move
    the priors too: a vendor that is most of its category (or the only one with deliveries) is
    pulled toward its own record (review: +16.7 printed, +76.9 on a rerun)."""
    n, m, fallback = card["deliveries_due"], model.priors["deliveries"], model.priors["fallback"]
    met = _delivery_met(card)
    pooled = 1 if card.get("in_peer_pools", True) else 0
    blend = 0.0
    for part, k in met.items():
        x = min(fixed.get(part, 0), n - k)
        port_k = (card[f"pool_portfolio_{part}"] or 0) + pooled * x
        portfolio = _shrunk(port_k, card["pool_portfolio_due"] or 0, 0.5, fallback)
        cat_n = card.get("pool_category_due") or 0
        cat_k = (card.get(f"pool_category_{part}") or 0) + (pooled * x if cat_n else 0)
        blend += model.delivery[part] * _shrunk(k + x, n, _shrunk(cat_k, cat_n, portfolio, m), m)
    return _above_delivery_floor(blend, model)


def _shrunk(k: float, n: float, p: float, m: float) -> float:
    """k of n pulled toward the rate p as if m records at p were added: sql/macros.sql's `shrunk`."""
    return (k + m * p) / (n + m)


def _above_delivery_floor(blend: float, model: TrustModel) -> float:
    """A delivery blend (0-1) as pillar points: the floor is 0, a perfect record 100
    (sql/scorecard/scorecard_pillars.sql)."""
    floor = model.delivery["floor"]
    return 100 * max(0.0, (blend - floor) / (1 - floor))


def _trust_gain(card: dict, model: TrustModel, gain: float, own_gain: float | None = None) -> tuple[float, float] | None:
    """Trust-score points if the month had scored `gain` more, as (least, most): trust moves
    toward the month's score by `down` of the gap when the month is below it and `up` when above
    (model.trust_path), so most of a month's gain reaches trust over the months after; a month of
    complaints alone can only lower trust. Trust started this month is the month's score."""
    score, trust = card.get("month_score"), card.get("trust_score")
    if score is None or trust is None:
        return None
    if card.get("trust_change") is None:
        return gain, gain
    before = trust - card["trust_change"]
    only = card.get("delivery_score") is None and card.get("promise_score") is None
    own = card.get("own_month_score")
    now = moved(before, score, model.memory_down, model.memory_up, lowers_only=only, own=own)
    if own is None:
        effect = moved(before, score + gain, model.memory_down, model.memory_up, lowers_only=only) - now
        return effect, effect
    if own_gain is not None:  # the action's effect on the own records is known (promises)
        effect = moved(before, score + gain, model.memory_down, model.memory_up, lowers_only=only,
                       own=own + own_gain) - now
        return effect, effect
    # The month's own records would gain at least what its shrunk score gains and at most that
    # times a pillar's (n + prior) / n (its points are not pulled toward the category): from
    # `own + gain` (`own` when clipped at 0) to `own + gain * ratio`. Their direction decides
    # whether trust moves or holds, so the effect is one of the two ends' (equal when both ends
    # move trust alike); which one cannot be told from the month alone.
    least = own + gain if own > 0 else own
    ends = [moved(before, score + gain, model.memory_down, model.memory_up, lowers_only=only, own=o) - now
            for o in (least, own + gain * _own_gain_ratio(card, model))]
    return min(ends), max(ends)


def _own_gain_ratio(card: dict, model: TrustModel) -> float:
    """The most a pillar's own records move per point its shrunk score moves: (n + prior) / n
    over the pillars with data (shrunk = (k + prior * p) / (n + prior), own = k / n)."""
    samples = [(card.get("deliveries_due") or 0, model.priors["deliveries"]),
               (card.get("promise_weight_12m") or 0, model.priors["announcements"]),
               (card.get("complaints_opened") or 0, model.priors["recovery"])]
    return max([(n + prior) / n for n, prior in samples if n > 0] or [math.inf])


def _recovery_gain(card: dict, model: TrustModel, complaints: list[dict], gain_of) -> float:
    """Month-score points if each complaint had earned gain_of(complaint) more recovery points."""
    total = sum(c["weight"] for c in complaints)
    if not total:
        return 0.0
    delta = sum(c["weight"] * 50 * gain_of(c) for c in complaints) / total
    # The pillar is the complaints' mean shrunk toward the category's as if `prior` average
    # complaints were added: it moves by n / (n + prior) of a change in the mean.
    n = len(complaints)
    delta *= n / (n + model.priors["recovery"])
    return delta * _pillar_share(card, model, "recovery")


def _month_end(month):
    from datetime import datetime

    nxt = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return datetime(nxt.year, nxt.month, 1)


def _delivery_met(card: dict) -> dict[str, int]:
    """Deliveries of the month meeting each part of the delivery pillar (on time with the tolerance)."""
    n = card["deliveries_due"]
    return {"on_time": n - (_late(card) - card.get("late_within_tolerance", 0) + card.get("deliveries_too_early", 0)),
            "in_full": round((card["in_full_rate"] or 0) * n), "defect_free": round((card["defect_free_rate"] or 0) * n)}


def _pulled_toward_peers(card: dict, model: TrustModel) -> list[Finding]:
    """What being pulled toward the peers cost a promise pillar whose own records score higher
    (review: 1 of 1 announcement kept held a month 10 points below its deliveries). The promise
    facts are charged from 100 to their own score, so this is the rest. Deliveries have no such
    line: their facts are charged at what each costs the pillar as it is (what delivering it right
    gains), and the line "from no record of yours" carries the rest; a line of the pull beside it
    told the peers' part twice (review: -16.6 pulled, -30.7 from no record, beside 2 late deliveries
    charged 19.3 on records that alone score 50)."""
    out = []
    own = _own_promise(card)
    if own is not None and card.get("prior_promise_rate") is not None and own > card["promise_score"]:
        out.append(Finding(
            f"with {plural(card['announcements_due_12m'], 'announcement')} judged, the promise pillar is pulled toward "
            f"the peers' pooled rate ({card['prior_promise_rate']:.0%}) as if {model.priors['announcements']:g} of their "
            f"announcements were added: {card['promise_score']:.1f} where your records alone score {own:.1f}",
            (own - card["promise_score"]) * _pillar_share(card, model, "promise"), "how this score is computed"))
    # a method effect, not a fact of the records: worth a line only where it moved the month
    return [f for f in out if f.points >= PULLED_MIN_POINTS]


def _own_promise(card: dict) -> float | None:
    """The promise pillar on the vendor's own announcements: credit over weight."""
    if not card.get("announcements_due_12m") or card.get("promise_score") is None or not card.get("promise_weight_12m"):
        return None
    return 100 * card["promise_credit_12m"] / card["promise_weight_12m"]


def _late(card: dict) -> int:
    """Deliveries of the month not on time by the date alone (the printed on-time rate): late or
    never delivered."""
    n = card["deliveries_due"]
    return n - round((card["on_time_rate"] or 0) * n) if n else 0


def _rejected(card: dict) -> int:
    """Deliveries of the month delivered with units rejected: those delivered (not `open_past_due`)
    and not defect-free (an undelivered one is not defect-free either, and is named as short)."""
    n = card["deliveries_due"]
    if not n or card["defect_free_rate"] is None:
        return 0
    return max(0, n - card["open_past_due"] - round(card["defect_free_rate"] * n))


def _ack_points(hours: float | None, points: dict[str, float]) -> float:
    """What an acknowledgement after `hours` earns, of `points` (TrustModel.recovery_points)."""
    if hours is None:
        return 0.0
    day = points["acknowledgement"]
    return day if hours <= 24 else day * ACK_WITHIN_3_DAYS / RECOVERY_STEPS["acknowledgement"] if hours <= 72 else 0.0


def _recovery_steps(card: dict, model: TrustModel, complaints: list[dict], points: dict[str, float],
                    as_of: date | None) -> list[Finding]:
    """Each handling step some complaint missed, priced; a step the model does not score (0 points)
    is no action: its source never records it, so taking it could not show."""
    words = "apologising and explaining the cause" if points["apology"] and points["explanation"] else \
        "apologising" if points["apology"] else "explaining the cause"
    pairs = [
        ("acknowledging every complaint within a day",
         lambda c: points["acknowledgement"] - _ack_points(c["hours_to_acknowledge"], points)),
        ("resolving every complaint by its due date",
         lambda c: 0 if c["resolved_on_time"] or _can_still_resolve_on_time(c, as_of) else points["resolution"]),
        (f"{words} each time",
         lambda c: (0 if c["apologized"] else points["apology"]) + (0 if c["explained"] else points["explanation"])),
        ("raising each failure yourself before the customer does",
         lambda c: 0 if c["disclosed_by"] == "vendor" else points["self_disclosure"]),
        ("making restitution each time", lambda c: 0 if c["restitution"] else points["restitution"]),
        ("not repeating a failure of the same category within a year",
         lambda c: points["no_repeat"] if c["is_repeat"] else 0),
    ]
    out = []
    for text, gain_of in pairs:
        gain = _recovery_gain(card, model, complaints, gain_of)
        if gain >= 0.05:
            out.append(Finding(text, gain, "complaints"))
    return out


def findings(card: dict, complaints: list[dict], model: TrustModel, as_of: date | None = None) -> list[Finding]:
    """The facts that moved this month's score most, largest first. `as_of`: the run's as-of date,
    by which a complaint still open and due after the month may have passed its date too."""
    out: list[Finding] = []
    n = card["deliveries_due"]
    if n:
        late, early, excused = _late(card), card.get("deliveries_too_early", 0), card.get("late_within_tolerance", 0)
        text = f"{late} of {plural(n, 'delivery', 'deliveries')} {'was' if late == 1 else 'were'} late" if late else \
            f"{'the' if n == 1 else 'all'} {plural(n, 'delivery', 'deliveries')} arrived on time" if not early else \
            (f"the delivery was not late" if n == 1 else f"none of {n} deliveries was late")
        if card["open_past_due"]:
            text += f" ({card['open_past_due']} not delivered yet)"
        if card["median_days_late"] is not None:
            days = card["median_days_late"]
            text += f"; late ones by {days:g} day{'' if days == 1 else 's'} at the median"
        if excused:
            text += f"; {excused} of them within the {plural(model.delivery['late_tolerance_days'], 'day')}" \
                    " of tolerance, on time in the score"
        if early:
            text += f"; {early} arrived more than {plural(model.delivery['early_tolerance_days'], 'day')}" \
                    " before the promised date, not on time in the score"
        # An undelivered one is late, short and not defect-free: the first and last are told here,
        # short below, so that each part of the delivery score is told once.
        out.append(Finding(text, _delivery_gains(card, model, {"on_time": late - excused + early,
                                                                "defect_free": card["open_past_due"]}),
                           "late deliveries"))
        short = n - _delivery_met(card)["in_full"]
        if short:
            out.append(Finding(f"{short} of {plural(n, 'delivery', 'deliveries')} {'was' if short == 1 else 'were'} short or not delivered in full",
                               _delivery_gain(card, model, "in_full", short), "late deliveries"))
        rejected = _rejected(card)
        if rejected:
            out.append(Finding(f"{rejected} of {plural(n, 'delivery', 'deliveries')} had units rejected",
                               _delivery_gain(card, model, "defect_free", rejected), "late deliveries"))
    if card["announcements_due_12m"]:
        broken, due = card["announcements_broken_12m"], card["announcements_due_12m"]
        text = (f"{card['announcements_kept_12m']} of {plural(due, 'announcement')} judged (due in the last 12 months "
                "or still overdue) shipped by the first promised date")
        if broken:
            text += f"; {broken} overdue, cancelled or moved past the first date"
        if card["presold_unshipped_12m"]:
            text += f"; {card['presold_unshipped_12m']} pre-sold and not delivered (each counted twice)"
        if card["far_ahead_unkept_12m"]:
            text += f"; {card['far_ahead_unkept_12m']} announced over a year ahead and not shipped on time (counted once more)"
        if card["redates_12m"]:
            text += f"; {plural(card['redates_12m'], 're-date')}"
            if card["slips_12m"]:
                text += f" ({card['slips_12m']} to a later date"
                text += f", {card['slip_penalty_12m']:g} credit lost" if card["slip_penalty_12m"] else ""
                # a quarter each, but an announcement's credit stops at 0: "3 slips, 0.25 credit lost"
                # read as a sum gone wrong (review)
                if card["slip_penalty_12m"] < SLIP_CREDIT * card["slips_12m"] - 1e-9:
                    text += "; an announcement's credit stops at 0"
                text += ")"
        # What the records cost: from 100 to their own score; the rest, when being pulled toward the
        # peers held the pillar lower still, is told apart (_pulled_toward_peers).
        own = _own_promise(card)
        below = 100 - (own if own is not None and own > (card["promise_score"] or 0) else (card["promise_score"] or 0))
        out.append(Finding(text, below * _pillar_share(card, model, "promise"), "announcements"))
    out += _pulled_toward_peers(card, model)
    if complaints:
        scored = model.recovery_points()
        slow = sum(1 for c in complaints if c["hours_to_acknowledge"] is None or c["hours_to_acknowledge"] > 24)
        # Complaints past their due date at the month's end have missed it; the rate counts the
        # still open ones due later as not on time too, until they are resolved by their date.
        month_end = _month_end(card["month"])
        missed_ones = [c for c in complaints if not c["resolved_on_time"] and
                       (c["resolved_at"] is not None or c["due_at"] < month_end)]
        missed, promised = len(missed_ones), sum(1 for c in missed_ones if c.get("date_promised", True))
        pending = sum(1 for c in complaints if not c["resolved_on_time"]) - missed
        repeats = sum(1 for c in complaints if c["is_repeat"])
        text = f"{plural(len(complaints), 'complaint')} opened"
        parts = []
        # No acknowledgement recorded is not the same fact as a late one: some sources (the CFPB's)
        # record none at all, and "not acknowledged" read as if the vendor had been silent.
        unrecorded = sum(1 for c in complaints if c["hours_to_acknowledge"] is None)
        # A step the model does not score (its source never records it) costs nothing: not named.
        if slow - unrecorded and scored["acknowledgement"]:
            parts.append(f"{slow - unrecorded} acknowledged after more than a day")
        if unrecorded and scored["acknowledgement"]:
            parts.append(f"{unrecorded} with no acknowledgement recorded")
        if missed:
            parts.append(_past_due(missed, promised))
        # due: the date promised, or the severity's target when none was (docs/metrics.md); one
        # due after the month may be past its date by the as-of date (review: "due after the
        # month" read as still in time for four complaints whose dates had all passed)
        lapsed = sum(1 for c in complaints if not c["resolved_on_time"] and c["resolved_at"] is None
                     and c["due_at"] >= month_end and as_of is not None and not _can_still_resolve_on_time(c, as_of))
        if pending - lapsed:
            parts.append(f"{pending - lapsed} still open and due after the month "
                         "(not on time until resolved by the date due)")
        if lapsed:
            parts.append(f"{lapsed} still open, due after the month and past that date on {as_of:%Y-%m-%d}")
        if repeats and scored["no_repeat"]:
            parts.append(f"{plural(repeats, 'repeat')} of an earlier failure")
        if parts:
            text += ": " + ", ".join(parts)
        lost = (100 - (card["recovery_score"] or 100)) * _pillar_share(card, model, "recovery")
        out.append(Finding(text, lost, "complaints"))
    return sorted(out, key=lambda f: -f.points)


def _past_due(missed: int, promised: int) -> str:
    """Complaints resolved after their due date (or open past it), by what that date was: the one
    the vendor promised, or its severity's target when it promised none."""
    if promised == missed:
        return f"{missed} past the promised resolution date"
    if not promised:
        return f"{missed} past the resolution target for {'its' if missed == 1 else 'their'} severity (no date promised)"
    return (f"{missed} past the date due ({promised} the date promised, {missed - promised} the target for "
            f"{'its' if missed - promised == 1 else 'their'} severity)")


def improvements(card: dict, complaints: list[dict], model: TrustModel, as_of: date | None = None) -> list[Finding]:
    """Concrete actions and the month-score points each would add: first what can still be done
    (open items, `now`), then the rest, largest first (review: the list led with deliveries long
    past and left an open complaint's promised date, still ahead, unsaid). `as_of`: the data's
    last day, after which an open complaint can still be resolved by its promised date."""
    out: list[Finding] = []
    n = card["deliveries_due"]
    if n:
        # late ones within the tolerance are on time in the score: delivering them earlier gains nothing
        late = _late(card) - card.get("late_within_tolerance", 0)
        short = n - _delivery_met(card)["in_full"]
        if late:
            # delivering the undelivered ones on time delivers them: in full and without rejects
            never = card["open_past_due"]
            text = f"delivering the {plural(late, 'late delivery', 'late deliveries')} on the promised date"
            if card.get("late_within_tolerance", 0):
                text = (f"delivering the {plural(late, 'delivery', 'deliveries')} late by more than"
                        f" {plural(model.delivery['late_tolerance_days'], 'day')} on the promised date")
            if never:
                text += f" (including {'the one' if never == 1 else f'the {never}'} not delivered yet, in full and without rejects)"
            out.append(Finding(text, _delivery_gains(card, model, {"on_time": late, "in_full": never, "defect_free": never}),
                               "late deliveries"))
        if card["open_past_due"]:
            # Still possible: a month's deliveries are judged whenever they arrive, so the open ones
            # delivered now count in full and without rejects (on time is lost). Review: the one
            # action a chronically late vendor could still take was not listed (+6.3 on a rerun).
            open_now = card["open_past_due"]
            out.append(Finding(f"delivering the {plural(open_now, 'open delivery', 'open deliveries')} of the month, "
                               "even late, in full and without rejects",
                               _delivery_gains(card, model, {"in_full": open_now, "defect_free": open_now}),
                               "late deliveries", now=True))
        if short:
            text = f"delivering the {plural(short, 'short delivery', 'short deliveries')} in full"
            if late and card["open_past_due"]:  # review: two items' gains read as if they added up
                text += f" ({'the one' if card['open_past_due'] == 1 else 'the ' + str(card['open_past_due'])}" \
                        " not delivered yet also counted with the late ones: the two gains overlap)"
            out.append(Finding(text, _delivery_gain(card, model, "in_full", short), "late deliveries"))
        early = card.get("deliveries_too_early", 0)
        if early:
            out.append(Finding(f"delivering the {plural(early, 'early delivery', 'early deliveries')} no more than"
                               f" {plural(model.delivery['early_tolerance_days'], 'day')} before the promised date",
                               _delivery_gain(card, model, "on_time", early), "late deliveries"))
        rejected = _rejected(card)
        if rejected:
            out.append(Finding(f"delivering the {plural(rejected, 'delivery', 'deliveries')} with rejected units without defects",
                               _delivery_gain(card, model, "defect_free", rejected), "late deliveries"))
    if complaints:
        points = model.recovery_points()
        still = [c for c in complaints if _can_still_resolve_on_time(c, as_of)]
        if still:
            first = min(c["due_at"] for c in still)
            ids = {c["complaint_id"] for c in still}
            gain = _recovery_gain(card, model, complaints, lambda c: points["resolution"] if c["complaint_id"] in ids else 0)
            # "the first by" beside another open one due earlier (already missed) read as wrong (review)
            text = (f"resolving the 1 open complaint by its due date, {first:%Y-%m-%d}, still ahead"
                    if len(still) == 1 else
                    f"resolving the {len(still)} open complaints by their due dates, still ahead "
                    f"(the first {first:%Y-%m-%d})")
            out.append(Finding(text, gain, "complaints", now=True))
        out += _recovery_steps(card, model, complaints, points, as_of)
    out += _promise_improvements(card, model)
    out = [_above_floor(card, model, f) for f in out]
    return sorted((_with_trust_gain(f, _trust_gain(card, model, f.points, f.own_points)) for f in out if f.points >= 0.05),
                  key=lambda f: (not f.now, -f.points))


def _can_still_resolve_on_time(complaint: dict, as_of: date | None) -> bool:
    """Open, with its promised date after the data's last day: resolving it by then still counts."""
    due = complaint["due_at"]
    return as_of is not None and complaint["resolved_at"] is None and due is not None and due.date() > as_of


def _with_trust_gain(finding: Finding, ends: tuple[float, float] | None) -> Finding:
    """The finding with its trust effect: one figure, or a range when the ends differ."""
    if ends is None:
        return finding
    least, most = ends
    return replace(finding, trust_points=least, trust_high=most if round(most, 1) > round(least, 1) else None)


def _promise_improvements(card: dict, model: TrustModel) -> list[Finding]:
    """What each kind of unkept announcement cost: re-dated later (a quarter credit a slip),
    shipped late (credit below 1), still open (0 now; `open_credit_12m` if shipped on the month's
    last day: 0.5 within 90 days of a first date that has passed, 0.25 later, 1 by the first date,
    less their slips; `open_weight_cut_12m` off the weight: a pre-sold one's extra, or all of one
    due over 12 months ago, which would leave the window), cancelled (0; only not announcing it
    would have helped). Shipping one on time also takes off the extra weight a pre-sold or
    far-ahead promise not kept carries (docs/metrics.md, Promises)."""
    due = card["announcements_due_12m"]
    if not due or card["promise_score"] is None:
        return []
    shrunk_gain, own_gain = _promise_gain(card, model), _own_promise_gain(card, model)

    def gain(more_credit: float, less_weight: float) -> dict:
        return {"points": shrunk_gain(more_credit, less_weight), "own_points": own_gain(more_credit, less_weight)}
    cancelled = card["announcements_cancelled_12m"]
    still_open = card["announcements_broken_12m"] - cancelled  # overdue, or slipped before due
    shipped_late = due - card["announcements_kept_12m"] - card["announcements_broken_12m"]
    # Credit of the late ones before their slips' deductions: all credit earned and lost to
    # slips, minus one per announcement kept.
    late_credit = card["promise_credit_12m"] + card["slip_penalty_12m"] - card["announcements_kept_12m"]
    out = []
    if card["slip_penalty_12m"] > 0:
        out.append(Finding(f"keeping the dates first promised instead of {plural(card['slips_12m'], 'slip')} to a later date",
                           evidence="announcements", **gain(card["slip_penalty_12m"], 0)))
    if shipped_late > 0:
        out.append(Finding(f"shipping the {plural(shipped_late, 'late-shipped announcement')} by the first promised date",
                           evidence="announcements", **gain(shipped_late - late_credit, card["extra_weight_late_12m"])))
    if still_open > 0:
        slipped = card["announcements_slipped_12m"]
        what = plural(still_open, "overdue announcement") if not slipped else \
            f"{plural(still_open, 'open announcement')} ({slipped} moved past {'its' if slipped == 1 else 'their'} first date)"
        # Not `now`: the month's promises are judged at its end, so a shipment after it moves the
        # months after, not this one (review: "+1.6 to this month's score" for shipping in
        # November; a rerun moved October by 0). Priced as shipped on the month's last day.
        out.append(Finding(f"shipping the {what} by the month's end, even late", evidence="announcements",
                           **gain(card["open_credit_12m"], card["open_weight_cut_12m"])))
    if cancelled > 0:
        out.append(Finding(f"shipping the {plural(cancelled, 'cancelled announcement')} on time instead",
                           evidence="announcements", **gain(cancelled, card["extra_weight_cancelled_12m"])))
    return out


def month_blend(card: dict, weights: dict[str, float], floor: bool = True, **pillars: float | None) -> float:
    """The month score from the card's pillars, some replaced (`delivery`, `promise`, `recovery`),
    as sql/macros.sql's month_blend: delivery and promises blended by weight, complaints deducted;
    without `floor`, before the month is held at 0."""
    d, p, r = (pillars.get(k, card.get(f"{k}_score")) for k in ("delivery", "promise", "recovery"))
    w = weights
    blend_weight = (w["delivery"] if d is not None else 0) + (w["promise"] if p is not None else 0)
    if blend_weight == 0:
        return r if r is not None else 0.0
    deduction = w["recovery"] * (100 - r) / (blend_weight + w["recovery"]) if r is not None else 0.0
    blend = (w["delivery"] * (d or 0) + w["promise"] * (p or 0)) / blend_weight - deduction
    return max(0.0, blend) if floor else blend


def _above_floor(card: dict, model: TrustModel, finding: Finding) -> Finding:
    """The action's gain on the month as printed: the gains above add up the pillars' shares, but
    the month is held at 0, so one deep below it gains only what lifts it past 0 (review: +2.0
    printed where a rerun moved the month by 0.29)."""
    if card.get("month_score") is None:
        return finding
    before = month_blend(card, model.weights, floor=False)
    return replace(finding, points=max(0.0, before + finding.points) - max(0.0, before))


def _own_promise_gain(card: dict, model: TrustModel):
    """Points the month's own records (`own_month_score`: the promise pillar as credit / weight,
    not shrunk) would gain with `credit` more and `weight` less. Which way trust moves follows
    them: shipping overdue announcements months late earns no credit, so the own records gain
    nothing and trust holds, though the shrunk pillar rises (review: "+0.4 to the trust score"
    printed for an action that moved trust by 0). None where the window would be left empty."""
    credit, weight = card["promise_credit_12m"], card["promise_weight_12m"]
    share = _pillar_share(card, model, "promise")

    def own_gain(more_credit: float, less_weight: float) -> float | None:
        if weight <= 0 or weight - less_weight <= 0:
            return None
        return 100 * ((credit + more_credit) / (weight - less_weight) - credit / weight) * share
    return own_gain


def _promise_gain(card: dict, model: TrustModel):
    """Month-score points if the promise pillar had `credit` more and `weight` less: the pillar is
    100 · (credit + m·p) / (weight + m) (m prior announcements at the peers' rate p), and moves the
    month by its share. The vendor's announcements are in its peers' pools, so p moves with them
    (`_promise_prior`); a row scored before the pools were kept reads p back from the score."""
    m, credit, weight = model.priors["announcements"], card["promise_credit_12m"], card["promise_weight_12m"]
    kept_prior = (card["promise_score"] / 100 * (weight + m) - credit) / m
    pooled = card.get("pool_portfolio_judged") is not None
    share = _pillar_share(card, model, "promise")

    def pillar(more_credit: float, less_weight: float) -> float:
        prior = _promise_prior(card, model, more_credit, less_weight) if pooled else kept_prior
        return min(100 * _shrunk(credit + more_credit, weight - less_weight, prior, m), 100.0)

    def gain(more_credit: float, less_weight: float) -> float:
        if weight - less_weight <= 0:  # nothing left to judge: the month without its promise pillar,
            # where complaints then deduct a larger share (review: priced as the gap to the
            # delivery pillar, +1.9 printed where a rerun lost 1.55)
            return month_blend(card, model.weights, False, promise=None) - month_blend(card, model.weights, False)
        return (pillar(more_credit, less_weight) - pillar(0.0, 0.0)) * share
    return gain


def _promise_prior(card: dict, model: TrustModel, more_credit: float, less_weight: float) -> float:
    """The promise prior as sql/scorecard/scorecard_pillars.sql computes it, with the vendor's
    `more_credit` and `less_weight` in its pools (our own company is in none): the portfolio's
    pooled rate toward 0.5, the category's toward the portfolio's."""
    m, fallback = model.priors["announcements"], model.priors["fallback"]
    pooled = 1 if card.get("in_peer_pools", True) else 0
    portfolio = _shrunk((card["pool_portfolio_credit"] or 0) + pooled * more_credit,
                        (card["pool_portfolio_judged"] or 0) - pooled * less_weight, 0.5, fallback)
    in_category = pooled if card.get("pool_category_judged") is not None else 0  # none: uncategorised
    return _shrunk((card["pool_category_credit"] or 0) + in_category * more_credit,
                   (card["pool_category_judged"] or 0) - in_category * less_weight, portfolio, m)
