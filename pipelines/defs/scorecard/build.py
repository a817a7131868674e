"""Metrics and scorecard models: run the SQL in sql/metrics and sql/scorecard for a window of months."""
from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from ...lib.build_log import fingerprint, forget, record, reusable
from ...lib.db import ensure_table_like, prepare, transaction
from ...lib.months import add_months
from ...lib.sql import load_sql
from ..ingest.feeds import ALL_FEEDS
from .model import TrustModel, grade, remembered_score

METRIC_MODELS = ("delivery_metrics", "complaint_recovery", "complaint_metrics", "announcement_metrics")


def replace_months(con: duckdb.DuckDBPyConnection, table: str, new: str, start: date, end: date) -> int:
    """Replace months [start, end) of `table` with the temp table `new`, in one transaction."""
    ensure_table_like(con, table, new)
    with transaction(con, table):
        con.execute(f"DELETE FROM {table} WHERE month >= ? AND month < ?", [start, end])
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {new}")
    return con.execute(f"SELECT count(*) FROM {new}").fetchall()[0][0]


def build_metric(con: duckdb.DuckDBPyConnection, model: str, start: date, end: date, trust: TrustModel) -> int:
    prepare(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {model}_new AS {load_sql(f'metrics/{model}')}",
                {"start": start, "end": end, **trust.metric_params(model)})
    return replace_months(con, model, f"{model}_new", start, end)


def data_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute(load_sql("scorecard/data_as_of")).fetchall()[0][0]


def build_scorecard(con: duckdb.DuckDBPyConnection, start: date, end: date, model: TrustModel) -> int:
    """Score months [start, end). The months before, back to the memory window and one more for
    the change since last month, are recomputed from the validated tables too, so a month's
    score never depends on which months earlier runs happened to materialise. Trust may sit
    frozen for up to window_months - 1 silent months after a window of window_months, hence
    twice the window."""
    prepare(con)
    first = add_months(start, -2 * model.window_months)
    try:
        _shadow_metrics(con, first, end, model)
        as_of = data_as_of(con) or end
        params = {"start": first, "end": end, "data_as_of": as_of, **model.sql_params()}
        con.execute(f"CREATE OR REPLACE TEMP TABLE pillars_new AS {load_sql('scorecard/scorecard_pillars')}", params)
    finally:
        _unshadow_metrics(con)
    memory = _memory(con, start, model)
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
    return replace_months(con, "scorecard", "scorecard_new", start, end)


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
    """A fingerprint of what the metrics read: each feed's validation (its build_log fingerprint
    covers the staged rows, the as-of date and the code) and the metric models' parameters. None
    when a feed's validation left no record (validated outside a run): nothing is kept then."""
    rows = con.execute("SELECT step, fingerprint FROM build_log WHERE step LIKE 'validate:%' ORDER BY step").fetchall()
    if len(rows) < len(ALL_FEEDS):  # one validate:<feed> step per feed
        return None
    return fingerprint("lookback", rows, {m: trust.metric_params(m) for m in METRIC_MODELS})


def _unshadow_metrics(con: duckdb.DuckDBPyConnection) -> None:
    for model in METRIC_MODELS:
        con.execute(f"DROP TABLE IF EXISTS temp.{model}")


def _memory(con: duckdb.DuckDBPyConnection, start: date, model: TrustModel) -> pl.DataFrame:
    """Trust score with memory, and its change since last month, for the rows from `start` on."""
    rows = con.execute("""SELECT vendor_id, month, month_score,
                                 delivery_score IS NULL AND promise_score IS NULL AS complaints_only
                          FROM pillars_new""").fetchall()
    scores = {(v, m): s for v, m, s, _ in rows}
    lowers_only = {(v, m) for v, m, s, only in rows if only and s is not None}
    known: dict = {}  # (vendor, month) -> trust: each month's is last month's "before"

    def trust_at(vendor: str, month: date) -> float | None:
        if (vendor, month) not in known:
            known[vendor, month] = _trust_at(scores, vendor, month, model, lowers_only)
        return known[vendor, month]

    out = []
    for vendor, month, _, _ in rows:
        if month < start:
            continue
        now, before = trust_at(vendor, month), trust_at(vendor, add_months(month, -1))
        change = now - before if now is not None and before is not None else None
        out.append((vendor, month, now, change, grade(now, model.grades)))
    schema = {"vendor_id": pl.String, "month": pl.Date, "trust_score": pl.Float64,
              "trust_change": pl.Float64, "grade": pl.String}
    return pl.DataFrame(out, schema=schema, orient="row")


def _trust_at(scores: dict, vendor: str, month: date, model: TrustModel,
              lowers_only: set | None = None) -> float | None:
    """Trust at the vendor's last scored month up to `month`: a silent month leaves it where it was
    (it neither heals by forgetting old bad months nor decays), until `window_months` silent months
    make it no score at all. Months in `lowers_only` (complaints alone) can only lower it."""
    lowers_only = lowers_only or set()
    for silent in range(model.window_months):
        last = add_months(month, -silent)
        if scores.get((vendor, last)) is not None:
            months = [(vendor, add_months(last, -k)) for k in range(model.window_months - 1, -1, -1)]
            return remembered_score([scores.get(key) for key in months], model.memory_down, model.memory_up,
                                    [key in lowers_only for key in months])
    return None
