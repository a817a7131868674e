"""The trust model's parameters (trust_model.toml) and its pure functions: memory and grades."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("trust_model.toml")


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

    def metric_params(self, model: str) -> dict[str, float]:
        """The parameters a metric model of sql/metrics takes (only delivery_metrics has any)."""
        if model != "delivery_metrics":
            return {}
        return {"late_tolerance_days": int(self.delivery["late_tolerance_days"]),
                "early_tolerance_days": int(self.delivery["early_tolerance_days"])}

    def sql_params(self) -> dict[str, float]:
        """The parameters scorecard_pillars.sql takes."""
        return {
            "w_delivery": self.weights["delivery"], "w_promise": self.weights["promise"],
            "w_recovery": self.weights["recovery"], "w_on_time": self.delivery["on_time"],
            "w_in_full": self.delivery["in_full"], "w_defect_free": self.delivery["defect_free"],
            "delivery_floor": self.delivery["floor"], "spend_weighted": bool(self.delivery["spend_weighted"]),
            "prior_deliveries": self.priors["deliveries"], "prior_announcements": self.priors["announcements"],
            "prior_recovery": self.priors["recovery"],
            "maturity_days": self.maturity_days,
        }


def load_model(path: Path | None = None) -> TrustModel:
    """The trust model: `path`, else the file named by TRUSTCARD_TRUST_MODEL (a deployment's own
    tuning, e.g. trust_model.public-data.toml for `make real`), else trust_model.toml."""
    return _load(Path(path or os.environ.get("TRUSTCARD_TRUST_MODEL") or MODEL_FILE).resolve())


@cache
def _load(path: Path) -> TrustModel:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"trust model {path}: {exc}") from exc
    return TrustModel(
        weights=raw["weights"], delivery=raw["delivery"], priors=raw["priors"],
        memory_down=raw["memory"]["down"], memory_up=raw["memory"]["up"],
        window_months=int(raw["memory"]["window_months"]), grades=raw["grades"],
        maturity_days=int(raw["maturity"]["days"]),
    )


def remembered_score(month_scores: list[float | None], down: float, up: float,
                     lowers_only: list[bool] | None = None) -> float | None:
    """Trust after a run of month scores (oldest first): it starts at the first known month and then
    moves toward each later month's score, by `down` of the gap when the month is worse, `up` when
    better. A month with no data leaves trust where it was.

    A month flagged in `lowers_only` (its complaints were all there was to score) can lower trust
    but never raise it, nor start it while a month of deliveries or promises follows: without the
    complaint the month would have had no score, and a failure handled well must not score better
    than no failure. Such months before the first full month are applied to it as it starts."""
    flags = lowers_only or [False] * len(month_scores)
    trust: float | None = None
    waiting: list[float] = []  # complaints-alone months seen before any full month
    for score, only in zip(month_scores, flags):
        if score is None:
            continue
        if trust is None and only:
            waiting.append(score)
            continue
        if trust is None:
            trust = score
            for earlier in waiting:
                trust = _moved(trust, earlier, down, up, lowers_only=True)
            waiting = []
        else:
            trust = _moved(trust, score, down, up, lowers_only=only)
    if trust is None and waiting:  # complaints alone in the whole window
        trust = waiting[0]
        for later in waiting[1:]:
            trust = _moved(trust, later, down, up, lowers_only=True)
    return trust


def _moved(trust: float, score: float, down: float, up: float, lowers_only: bool) -> float:
    if score < trust:
        return trust + down * (score - trust)
    return trust if lowers_only else trust + up * (score - trust)


def grade(score: float | None, cutoffs: dict[str, float]) -> str | None:
    if score is None:
        return None
    for letter, floor in sorted(cutoffs.items(), key=lambda kv: -kv[1]):
        if score >= floor:
            return letter
    return "F"
