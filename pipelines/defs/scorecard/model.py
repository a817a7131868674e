"""The trust model's parameters (trust_model.toml) and its pure functions: memory and grades."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("trust_model.toml")

# The recovery points a complaint earns for each step of handling it (sql/metrics/complaint_recovery.sql,
# docs/metrics.md); acknowledged within three days instead of one earns ACK_WITHIN_3_DAYS.
RECOVERY_STEPS: dict[str, float] = {
    "acknowledgement": 0.25, "resolution": 0.30, "apology": 0.10, "explanation": 0.10,
    "restitution": 0.05, "self_disclosure": 0.10, "no_repeat": 0.10,
}
ACK_WITHIN_3_DAYS = 0.10
# Steps a deployment may leave unscored (`[recovery] unscored_steps`): ones its complaint source
# never records. Resolution by the date due is what every complaint is judged on, so it stays.
UNSCORABLE_KEEP = "resolution"


@dataclass(frozen=True)
class TrustModel:
    weights: dict[str, float]
    delivery: dict[str, float]
    priors: dict[str, float]
    memory_down: float
    memory_up: float
    window_months: int
    grades: dict[str, float]
    maturity_days: int
    unscored_steps: tuple[str, ...] = ()

    def metric_params(self, model: str) -> dict[str, float | bool]:
        """The parameters a metric model of sql/metrics takes."""
        if model == "delivery_metrics":
            return {"late_tolerance_days": int(self.delivery["late_tolerance_days"]),
                    "early_tolerance_days": int(self.delivery["early_tolerance_days"])}
        if model == "complaint_recovery":
            return {f"score_{step}": step not in self.unscored_steps for step in RECOVERY_STEPS if step != UNSCORABLE_KEEP}
        return {}

    def recovery_points(self) -> dict[str, float]:
        """Each scored step's share of a complaint's points: its points over those of every step
        scored (all seven: 1.00), so that a handled complaint still scores 40-90 when the
        complaint source records fewer steps. Unscored steps are 0."""
        scored = sum(p for step, p in RECOVERY_STEPS.items() if step not in self.unscored_steps)
        return {step: 0.0 if step in self.unscored_steps else p / scored for step, p in RECOVERY_STEPS.items()}

    def sql_params(self) -> dict[str, float]:
        """The parameters scorecard_pillars.sql takes."""
        return {
            "w_delivery": self.weights["delivery"], "w_promise": self.weights["promise"],
            "w_recovery": self.weights["recovery"], "w_on_time": self.delivery["on_time"],
            "w_in_full": self.delivery["in_full"], "w_defect_free": self.delivery["defect_free"],
            "delivery_floor": self.delivery["floor"], "spend_weighted": bool(self.delivery["spend_weighted"]),
            "prior_deliveries": self.priors["deliveries"], "prior_announcements": self.priors["announcements"],
            "prior_recovery": self.priors["recovery"], "prior_fallback": self.priors["fallback"],
            "maturity_days": self.maturity_days,
        }


def load_model(path: Path | None = None) -> TrustModel:
    """The trust model: `path`, else the file named by TRUSTCARD_TRUST_MODEL (a deployment's own
    tuning, e.g. trust_model.public-data.toml for `make real`), else trust_model.toml."""
    return _load(Path(path or os.environ.get("TRUSTCARD_TRUST_MODEL") or MODEL_FILE).resolve())


# Every key a trust model file must set, by section, with its type: a typo ('ontime') or a
# number written as text ("0.5") is named with its file before a run starts, not met as a KeyError
# or a SQL type error in the scorecard step after every table before it was written.
SCHEMA: dict[str, dict[str, type]] = {
    "weights": {"delivery": float, "promise": float, "recovery": float},
    "delivery": {"on_time": float, "in_full": float, "defect_free": float, "floor": float,
                 "late_tolerance_days": int, "early_tolerance_days": int, "spend_weighted": bool},
    "priors": {"deliveries": float, "announcements": float, "recovery": float, "fallback": float},
    "memory": {"down": float, "up": float, "window_months": int},
    "grades": {"A": float, "B": float, "C": float, "D": float},
    "maturity": {"days": int},
    "recovery": {"unscored_steps": list},
}
# What each value must be for the formulas in docs/metrics.md to mean anything.
BOUNDS: dict[tuple[str, str], tuple[float, float]] = {
    **{("weights", k): (0, 1) for k in ("delivery", "promise", "recovery")},
    **{("delivery", k): (0, 1) for k in ("on_time", "in_full", "defect_free")},
    ("delivery", "floor"): (0, 0.99), ("memory", "down"): (0.01, 1), ("memory", "up"): (0.01, 1),
    # days after (before) the promise still on time; early: -1 means any earlier day
    ("delivery", "late_tolerance_days"): (0, 366), ("delivery", "early_tolerance_days"): (-1, 366),
    **{("priors", k): (0.01, 10_000) for k in ("deliveries", "announcements", "recovery", "fallback")},
    ("memory", "window_months"): (1, 120), ("maturity", "days"): (0, 366),
    **{("grades", k): (0, 100) for k in "ABCD"},
}


# Settings added after model files were first tuned, with the value a file without them gets.
DEFAULTS: dict[tuple[str, str], object] = {("priors", "fallback"): 1.0, ("recovery", "unscored_steps"): []}


def _checked(raw: dict, path: Path) -> dict:
    def fail(why: str) -> ValueError:
        return ValueError(f"trust model {path}: {why}")
    raw.setdefault("recovery", {})  # a section added later: a file without it scores every step
    for (section, key), value in DEFAULTS.items():
        if isinstance(raw.get(section), dict):
            raw[section].setdefault(key, value)
    for section, keys in SCHEMA.items():
        table = raw.get(section)
        if not isinstance(table, dict):
            raise fail(f"section [{section}] is missing")
        for key in table.keys() - keys.keys():
            raise fail(f"[{section}] {key} is not a setting (expected one of: {', '.join(keys)})")
        for key, kind in keys.items():
            if key not in table:
                raise fail(f"[{section}] {key} is missing")
            value = table[key]
            if kind is list:
                _check_steps(value, f"[{section}] {key}", fail)
                continue
            ok = isinstance(value, bool) if kind is bool else \
                isinstance(value, int) and not isinstance(value, bool) if kind is int else \
                isinstance(value, (int, float)) and not isinstance(value, bool)
            if not ok:
                raise fail(f"[{section}] {key} must be {'true or false' if kind is bool else 'a whole number' if kind is int else 'a number'}, got {value!r}")
            low, high = BOUNDS.get((section, key), (float("-inf"), float("inf")))
            if not low <= value <= high:
                raise fail(f"[{section}] {key} must be from {low:g} to {high:g}, got {value!r}")
    if not abs(sum(raw["delivery"][k] for k in ("on_time", "in_full", "defect_free")) - 1) < 1e-9:
        raise fail("[delivery] on_time + in_full + defect_free must be 1")
    weights = sum(raw["weights"][k] for k in ("delivery", "promise", "recovery"))
    if not abs(weights - 1) < 1e-9:  # shares: the reports print them as percentages
        raise fail(f"[weights] delivery + promise + recovery must be 1 (their shares of the month score), got {weights:g}")
    grades = [raw["grades"][k] for k in "ABCD"]
    if grades != sorted(grades, reverse=True):
        raise fail(f"[grades] must fall from A to D, got {grades}")
    return raw


def _check_steps(value: object, name: str, fail) -> None:
    allowed = [step for step in RECOVERY_STEPS if step != UNSCORABLE_KEEP]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"{name} must be a list of step names, got {value!r}")
    for step in value:
        if step not in allowed:
            raise fail(f"{name}: {step!r} is not a step that can be left unscored (expected some of: {', '.join(allowed)})")
    if len(set(value)) != len(value):
        raise fail(f"{name} names a step twice: {value!r}")


@cache
def _load(path: Path) -> TrustModel:
    try:
        raw = _checked(tomllib.loads(path.read_text(encoding="utf-8")), path)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"trust model {path}: {exc}") from exc
    return TrustModel(
        weights=raw["weights"], delivery=raw["delivery"], priors=raw["priors"],
        memory_down=raw["memory"]["down"], memory_up=raw["memory"]["up"],
        window_months=int(raw["memory"]["window_months"]), grades=raw["grades"],
        maturity_days=int(raw["maturity"]["days"]),
        # in the steps' own order, so that two files naming them in another order are one model
        unscored_steps=tuple(step for step in RECOVERY_STEPS if step in raw["recovery"]["unscored_steps"]),
    )


def trust_path(month_scores: list[float | None], down: float, up: float,
               lowers_only: list[bool] | None = None, forget_after: int | None = None,
               own_scores: list[float | None] | None = None) -> list[float | None]:
    """Trust at each month of a vendor's consecutive months (oldest first): it starts at the first
    month with a score and then moves toward each later month's score, by `down` of the gap when
    the month is worse, `up` when better. Each month's trust is last month's moved by this month,
    so it never jumps because an old month stopped counting. A month with no data leaves trust
    where it was; after `forget_after` such months in a row there is no trust (None), and the
    vendor starts afresh when it next has a score.

    A month flagged in `lowers_only` (its complaints were all there was to score) can lower trust
    but never raise it: without the complaint the month would have had no score, and a failure
    handled well must not score better than no failure. Before any month of deliveries or
    promises, complaint months alone give trust (the first starts it, later ones only lower it);
    the first full month then starts trust at its own score lowered by each of those complaint
    months, and, when that is above the trust shown, rises from it by `up` at most.

    `own_scores` (each month on the vendor's own records, not shrunk toward its peers) set the
    direction of each move: a month whose own records are at least the trust it meets cannot lower
    it, one whose own records are at most that trust cannot raise it (trust holds). Shrinkage
    says how far a few records move trust, never which way: one delivery on time, pulled toward
    peers that were late, is still a promise kept."""
    flags = lowers_only or [False] * len(month_scores)
    owns = own_scores or [None] * len(month_scores)
    out: list[float | None] = []
    trust: float | None = None       # since the first full month
    waiting: list[tuple[float, float | None]] = []  # complaint months alone before it (score, own)...
    shown: float | None = None       # ...and the trust they give meanwhile (kept, not replayed)
    silent = 0
    for score, only, own in zip(month_scores, flags, owns):
        if score is None:
            silent += 1
            if forget_after is not None and silent >= forget_after:
                trust, waiting, shown = None, [], None
        elif trust is not None:
            silent, trust = 0, moved(trust, score, down, up, lowers_only=only, own=own)
        elif only:
            silent, shown = 0, score if shown is None else moved(shown, score, down, up, lowers_only=True, own=own)
            waiting.append((score, own))
        else:
            silent, trust = 0, _first_full_month(score, own, waiting, shown, down, up)
            waiting, shown = [], None
        out.append(trust if trust is not None else shown)
    return out


def _first_full_month(score: float, own: float | None, waiting: list[tuple[float, float | None]],
                      shown: float | None, down: float, up: float) -> float:
    """Trust started by the first full month: its score lowered by each complaint month before it
    (each by the rule of its own records), rising from the trust shown by then (`shown`) by `up` at
    most, and not at all when the month's own records do not point up from it; below the trust
    shown only when its own records are below it too (else that trust holds)."""
    trust = score
    for earlier, earlier_own in waiting:
        trust = moved(trust, earlier, down, up, lowers_only=True, own=earlier_own)
    if shown is not None and trust > shown:  # rising from the trust shown: slowly, as any rise
        trust = min(trust, moved(shown, score, down, up, lowers_only=False, own=own))
    elif shown is not None and own is not None and own >= shown:  # kept by its own records: no fall
        trust = shown
    return trust


def moved(trust: float, score: float, down: float, up: float, lowers_only: bool,
          own: float | None = None) -> float:
    """Trust after a month scoring `score`: `down` of the gap when below, `up` when above; it
    holds when the month's own records (`own`, not shrunk) do not point the same way."""
    if own is not None and (score - trust) * (own - trust) <= 0:
        return trust
    if score < trust:
        return trust + down * (score - trust)
    return trust if lowers_only else trust + up * (score - trust)


def grade(score: float | None, cutoffs: dict[str, float]) -> str | None:
    """The letter of the score as the reports print it (one decimal): 59.99 printed "60.0 · F"
    beside "D ≥ 60" (review)."""
    if score is None:
        return None
    printed = float(f"{score:.1f}")
    for letter, floor in sorted(cutoffs.items(), key=lambda kv: -kv[1]):
        if printed >= floor:
            return letter
    return "F"
