"""Metrics and scorecard models: run the SQL in sql/metrics and sql/scorecard for a window of months."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from itertools import groupby

import duckdb
import polars as pl

from ...lib.build_log import fingerprint, forget, last_detail, record, reusable
from ...lib.db import ensure_table_like, keep_later_months_behind, prepare, table_exists, transaction
from ...lib.months import add_months
from ...lib.sql import load_sql
from ..ingest.feeds import ALL_FEEDS
from .model import TrustModel, grade, trust_path

# The longest trailing window of sql/metrics (announcements judged over 12 months).
TRAILING_MONTHS = 12
METRIC_MODELS = ("delivery_metrics", "complaint_recovery", "complaint_metrics", "announcement_metrics")


# The stored order of each table written by month (a unique key per row; lib/db.py says why).
STORED_ORDER = {"complaint_recovery": "month, vendor_id, opened_at, complaint_id"}
DEFAULT_ORDER = "month, vendor_id"


def replace_months(con: duckdb.DuckDBPyConnection, table: str, new: str, start: date, end: date,
                   scored: bool = False) -> int:
    """Replace months [start, end) of `table` with the temp table `new`, in one transaction; with
    `scored` (the scorecard), the months are no longer out of date."""
    ensure_table_like(con, table, new)
    order = STORED_ORDER.get(table, DEFAULT_ORDER)
    with transaction(con, table):
        con.execute(f"DELETE FROM {table} WHERE month >= ? AND month < ?", [start, end])
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {new} ORDER BY {order}")
        keep_later_months_behind(con, table, end, order)
        if scored:
            con.execute("DELETE FROM scores_out_of_date WHERE month >= ? AND month < ?", [start, end])
    return con.execute(f"SELECT count(*) FROM {new}").fetchall()[0][0]


def build_metric(con: duckdb.DuckDBPyConnection, model: str, start: date, end: date, trust: TrustModel) -> int:
    prepare(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {model}_new AS {load_sql(f'metrics/{model}')}",
                {"start": start, "end": end, **trust.metric_params(model)})
    return replace_months(con, model, f"{model}_new", start, end)


def forget_months_before(con: duckdb.DuckDBPyConnection, memory_from: date) -> None:
    """Drop the scores and metrics of months before TRUSTCARD_FIRST_MONTH, made when it was
    earlier: no run can score them again while it stands, and a database scored from it afresh
    has none (review: they stayed out of date forever, and the PDFs' trends and "grade B three
    months ago" read them). Their rows stay validated; moving the month back scores them again."""
    with transaction(con, "scorecard"):
        for table in ("scorecard", *METRIC_MODELS):
            if table_exists(con, table):
                con.execute(f"DELETE FROM {table} WHERE month < ?", [memory_from])
        con.execute("DELETE FROM scores_out_of_date WHERE month < ?", [memory_from])


def data_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute(load_sql("scorecard/data_as_of")).fetchall()[0][0]


def build_scorecard(con: duckdb.DuckDBPyConnection, start: date, end: date, model: TrustModel,
                    memory_from: date | None = None) -> tuple[int, str, str | None]:
    """Score months [start, end). Trust remembers every month since the vendor's first, so the
    months before the window, back to the first month with data, are scored again from the
    validated tables too: a month's trust never depends on which months earlier runs happened to
    materialise (the look-back's metrics are kept between runs over the same validated rows).
    Trust's memory begins at `memory_from` (TRUSTCARD_FIRST_MONTH, where scoring begins): a month
    before it is never scored, so it seeds no trust (review: announcements judged the month before
    the sample's first month started three vendors' trust at 4 beside month scores near 60). Its
    facts still count in the trailing windows of the months scored.
    Returns the rows written, what they changed in the stored trust scores (trust_rescored), and
    what changed in how scores are made since the last scoring (basis_change), if anything."""
    prepare(con)
    first = min(history_start(con, start, model), add_months(start, -1))  # and one more for the change
    if memory_from is not None:
        first = min(max(first, memory_from), add_months(start, -1))
    try:
        _shadow_metrics(con, first, end, model)
        as_of = data_as_of(con) or end
        params = {"start": first, "end": end, "data_as_of": as_of, **model.sql_params()}
        con.execute(f"CREATE OR REPLACE TEMP TABLE pillars_new AS {load_sql('scorecard/scorecard_pillars')}", params)
    finally:
        _unshadow_metrics(con)
    memory = _memory(con, start, model, memory_from)
    con.register("memory_frame", memory.to_arrow())
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE scorecard_new AS
               SELECT p.*, m.trust_score, m.trust_change, m.grade
               FROM pillars_new p JOIN memory_frame m USING (vendor_id, month)
               ORDER BY vendor_id, month"""
        )
    finally:
        con.unregister("memory_frame")
    rescored = trust_rescored(con)
    basis = scoring_basis(model, memory_from)
    change = basis_change(last_detail(con, "scoring_basis"), basis)
    if change and table_exists(con, "scorecard"):
        # Every month scored the old way is out of date; replace_months clears the window's.
        con.execute("INSERT OR IGNORE INTO scores_out_of_date SELECT DISTINCT month FROM scorecard")
    written = replace_months(con, "scorecard", "scorecard_new", start, end, scored=True)
    if memory_from is not None:
        forget_months_before(con, memory_from)
    record(con, "scoring_basis", fingerprint(basis), basis)
    con.execute(load_sql("scorecard/provisional_moved"),
                {"start": start, "end": end, "data_as_of": as_of, "maturity_days": model.maturity_days})
    return written, rescored, change


def scoring_basis(model: TrustModel, memory_from: date | None) -> dict:
    """What a month's trust depends on besides the validated rows: where its memory begins
    (TRUSTCARD_FIRST_MONTH) and the trust model's parameters. Recorded with the scores (build_log,
    'scoring_basis'): a later run made another way leaves the months it does not score out of
    date, instead of a scorecard whose months were scored two ways without a word (review: a demo
    run scored from 2024-11, a later `trustcard run` from the default 2024-01 silently moved trust
    in 63 of 984 vendor-months)."""
    trust_model = asdict(model)
    # Every step scored is how scores were made before the setting existed: a database scored
    # then is not out of date for it. A list, as the recorded basis reads back from JSON.
    steps = list(trust_model.pop("unscored_steps"))
    if steps:
        trust_model["unscored_steps"] = steps
    return {"first_month": f"{memory_from:%Y-%m}" if memory_from else None, "trust_model": trust_model}


def basis_change(before: dict | None, now: dict) -> str | None:
    """In words, what differs between the recorded scoring basis and this run's; None when nothing
    does, or nothing was recorded (a database scored before trustcard recorded it)."""
    if before is None or before == now:
        return None
    changes = []
    if before.get("first_month") != now["first_month"]:
        changes.append(f"TRUSTCARD_FIRST_MONTH {before.get('first_month')} -> {now['first_month']}")
    old, new = before.get("trust_model") or {}, now["trust_model"]
    moved = [f"{key} {_flat(old).get(key)} -> {value}" for key, value in _flat(new).items()
             if _flat(old).get(key) != value]
    if moved:
        changes.append("the trust model (" + ", ".join(moved[:3]) + (f" and {len(moved) - 3} more" if len(moved) > 3 else "") + ")")
    return "; ".join(changes) or None


def _flat(model: dict) -> dict[str, object]:
    """{'weights': {'delivery': 0.4}} as {'weights.delivery': 0.4}."""
    return {f"{section}.{key}" if isinstance(values, dict) else section: value
            for section, values in model.items()
            for key, value in (values.items() if isinstance(values, dict) else [(None, values)])}


def trust_rescored(con: duckdb.DuckDBPyConnection) -> str:
    """What scoring the run's months again changed in the stored trust scores (`scorecard_new`
    against `scorecard`), in words: a rerun after late data says whose trust moved, not only that
    it ran, judged as the reports print it (sql/scorecard/trust_rescored.sql)."""
    if not table_exists(con, "scorecard"):
        return "first scoring"
    stored, changed, vendor, month, old, new = con.execute(load_sql("scorecard/trust_rescored")).fetchone()
    if not stored:
        return "first scoring"
    if not changed:
        return f"trust unchanged in all {stored} vendor-months scored before"

    def shown(x: float | None) -> str:
        return "none" if x is None else f"{x:.1f}"
    return (f"trust changed in {changed} of {stored} vendor-months scored before; most: {vendor} "
            f"{month:%Y-%m} {shown(old)} -> {shown(new)}")


def _shadow_metrics(con: duckdb.DuckDBPyConnection, first: date, end: date, trust: TrustModel) -> None:
    """Temp tables named like the metric tables hide the stored ones from this connection while
    the scorecard model reads them: the same SQL, over the wider window.

    The look-back's metrics are kept (`lookback_<model>`, with the validated state they were
    computed from in `build_log`): a later run over validated tables in the same state, whose
    window lies inside the kept one, reads its months from there instead of recomputing every
    month of the look-back (a month's metrics do not depend on the window around it)."""
    state = _validated_state(con, trust)
    kept = reusable(con, "lookback", state, f"lookback_{METRIC_MODELS[-1]}") if state else None
    if kept and date.fromisoformat(kept["first"]) <= first and end <= date.fromisoformat(kept["end"]):
        for model in METRIC_MODELS:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {model} AS SELECT * FROM lookback_{model} "
                        "WHERE month >= ? AND month < ?", [first, end])
        return
    for model in METRIC_MODELS:
        # A complaint's summary text is evidence for the PDFs, never read by a score: left out of
        # the look-back's copy (a third of its cost over 1M complaints).
        sql = load_sql(f"metrics/{model}")
        if model == "complaint_recovery":
            sql = f"SELECT * EXCLUDE (summary) FROM ({sql})"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {model} AS {sql}",
                    {"start": first, "end": end, **trust.metric_params(model)})
    if state:
        forget(con, "lookback")
        for model in METRIC_MODELS:
            con.execute(f"CREATE OR REPLACE TABLE lookback_{model} AS SELECT * FROM temp.{model}")
        record(con, "lookback", state, {"first": first.isoformat(), "end": end.isoformat()})


def _validated_state(con: duckdb.DuckDBPyConnection, trust: TrustModel) -> str | None:
    """A fingerprint of what the metrics read: what each feed's validation wrote (its rows' hash
    sums per month, in build_log), the metric models' parameters and the code. Not the as-of
    date: a rerun on another day that validates again into the same rows keeps the look-back.
    None when a feed's validation left no record (validated outside a run): nothing is kept then."""
    rows = con.execute("SELECT step, detail FROM build_log WHERE step LIKE 'validate:%' ORDER BY step").fetchall()
    written = [(step, json.loads(detail).get("results")) for step, detail in rows]
    if len(written) < len(ALL_FEEDS) or any(r is None for _, r in written):  # one validate:<feed> per feed
        return None
    return fingerprint("lookback", written, {m: trust.metric_params(m) for m in METRIC_MODELS})


def _unshadow_metrics(con: duckdb.DuckDBPyConnection) -> None:
    for model in METRIC_MODELS:
        con.execute(f"DROP TABLE IF EXISTS temp.{model}")


def history_start(con: duckdb.DuckDBPyConnection, start: date, model: TrustModel) -> date:
    """Where trust's memory of months from `start` on begins: the earliest month reached back from
    `start` through months with facts without crossing a gap that resets every vendor's trust.

    A fact counts in the metrics' trailing windows for TRAILING_MONTHS after its month (an open
    announcement in every month until resolved: history_months.sql lists those months), so only
    a gap of that plus window_months without any fact is sure to leave window_months without a
    score (trust forgotten). No other cut-off: one that moved with `start` would make a month's
    trust depend on which months a run covered."""
    gap = TRAILING_MONTHS + model.window_months
    reached = start
    for (month,) in con.execute(load_sql("scorecard/history_months"), {"start": start}).fetchall():
        if month <= add_months(reached, -gap - 1):
            break
        reached = month
    return reached


def _memory(con: duckdb.DuckDBPyConnection, start: date, model: TrustModel, memory_from: date | None) -> pl.DataFrame:
    """Trust score with memory, and its change since last month, for the rows from `start` on:
    each vendor's months in order, from the first month of the look-back (months before
    `memory_from` count as months without a score)."""
    rows = con.execute("""SELECT vendor_id, month,
                                 CASE WHEN month >= $from THEN month_score END,
                                 delivery_score IS NULL AND promise_score IS NULL AND month_score IS NOT NULL,
                                 own_month_score
                          FROM pillars_new ORDER BY vendor_id, month""",
                       {"from": memory_from or date(1, 1, 1)}).fetchall()
    out = []
    for vendor, group in groupby(rows, key=lambda r: r[0]):
        months = list(group)
        path = trust_path([r[2] for r in months], model.memory_down, model.memory_up,
                          [r[3] for r in months], forget_after=model.window_months,
                          own_scores=[r[4] for r in months])
        for k, (_, month, _, _, _) in enumerate(months):
            if month >= start:
                now, before = path[k], path[k - 1] if k else None
                change = now - before if now is not None and before is not None else None
                out.append((vendor, month, now, change, grade(now, model.grades)))
    schema = {"vendor_id": pl.String, "month": pl.Date, "trust_score": pl.Float64,
              "trust_change": pl.Float64, "grade": pl.String}
    return pl.DataFrame(out, schema=schema, orient="row")
