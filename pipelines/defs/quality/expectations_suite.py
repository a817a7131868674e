"""Run a feed's Great Expectations suite (expectations/<feed>.json) on its staged rows.

The SQL validation decides what is quarantined; the suite is an independent second reading of
the same contract. Every row the suite flags must already be in quarantine: a row it flags
that validation let through is a bug, and the check fails.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

import duckdb

from ...lib.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
RESULT_COLUMNS = ["feed", "month", "expectation", "column_name", "rule", "rows_checked", "unexpected_count"]


@dataclass
class SuiteOutcome:
    feed: str
    evaluated: int = 0
    successful: int = 0
    per_month: list[tuple] = field(default_factory=list)  # rows of RESULT_COLUMNS
    not_quarantined: list[str] = field(default_factory=list)  # "file:line rule" the SQL let through

    @property
    def consistent(self) -> bool:
        return not self.not_quarantined


def load_suite_json(feed: str) -> dict:
    return json.loads((EXPECTATIONS_DIR / f"{feed}.json").read_text(encoding="utf-8"))


# Rows handed to Great Expectations at once: whole months are batched up to this many rows, so a
# large feed is checked in pieces of bounded memory (pandas holds every batch whole).
BATCH_ROWS = 1_000_000


def run_suite(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list, as_of: date) -> SuiteOutcome:
    import great_expectations as gx  # costs seconds: only when a check runs, never at load
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    outcome = SuiteOutcome(feed)
    batches = month_batches(con, feed, where, args)
    if not batches:
        return outcome
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = ctx.data_sources.add_pandas("staged").add_dataframe_asset(feed).add_batch_definition_whole_dataframe("all")
    suite = ctx.suites.add(gx.ExpectationSuite(**load_suite_json(feed)))
    known = [r[0] for r in con.execute("SELECT vendor_id FROM vendors").fetchall()] if feed != "vendors" else []
    quarantined = _quarantined(con, feed, where, args)
    failed: set[str] = set()
    for batch_where, batch_args in batches:
        frame = con.execute(
            f"""SELECT * EXCLUDE (_raw, _extra, _parse_problem, _row_error, _dup_places)
                FROM stg_{feed} WHERE {where} AND {batch_where} AND _dup_status <> 'duplicate'
                ORDER BY _source_file, _row_number""", [*args, *batch_args]).df()
        result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite,
            expectation_parameters={"known_vendor_ids": known, "as_of_end": datetime.combine(as_of, time.max)},
            result_format="COMPLETE",
        )
        outcome.evaluated = result.statistics["evaluated_expectations"]
        months = frame["month"] if "month" in frame else None
        for res in result.results:
            if not res.success:
                failed.add(res.expectation_config.id or repr(res.expectation_config.kwargs))
            _collect(outcome, res, frame, months, quarantined)
    # An expectation is met when it is met in every batch.
    outcome.successful = outcome.evaluated - len(failed)
    outcome.per_month.sort(key=lambda r: (str(r[1]), r[2], r[3] or ""))
    return outcome


def month_batches(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list,
                  limit: int = BATCH_ROWS) -> list[tuple[str, list]]:
    """Filters that split the window's rows into whole months of at most `limit` rows together
    (a bigger month is a batch of its own; rows of unknown month are one more)."""
    if feed == "vendors":
        return [("true", [])]
    counts = con.execute(f"""SELECT month, count(*) FROM stg_{feed} WHERE {where} AND _dup_status <> 'duplicate'
                             GROUP BY month ORDER BY month NULLS FIRST""", args).fetchall()
    batches: list[list] = []
    size = limit
    for month, n in counts:
        if month is None:
            batches.append(["month IS NULL", []])
            continue
        if size + n > limit or not batches or batches[-1][0] == "month IS NULL":
            batches.append(["", []])
            size = 0
        batches[-1][1].append(month)
        size += n
    return [(f, a) if f else (f"month IN ({', '.join('?' * len(a))})", a) for f, a in batches]


def _quarantined(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list) -> set[tuple[str, int]]:
    rows = con.execute(f"SELECT source_file, row_number FROM quarantine WHERE feed = ? AND {where}", [feed, *args]).fetchall()
    return {(f, int(r)) for f, r in rows}


def _collect(outcome: SuiteOutcome, res, frame, months, quarantined: set[tuple[str, int]]) -> None:
    cfg = res.expectation_config
    column = cfg.kwargs.get("column") or f"{cfg.kwargs.get('column_A')},{cfg.kwargs.get('column_B')}"
    rule = (cfg.meta or {}).get("rule", cfg.type)
    flagged = [int(i) for i in (res.result.get("unexpected_index_list") or []) if not isinstance(i, dict)]
    counts: dict = {}
    for idx in flagged:
        month = months.iloc[idx] if months is not None else None
        counts[month] = counts.get(month, 0) + 1
        place = (frame["_source_file"].iloc[idx], int(frame["_row_number"].iloc[idx]))
        if place not in quarantined:
            outcome.not_quarantined.append(f"{place[0]}:{place[1]} {rule}")
    checked = frame.groupby("month", dropna=False).size().to_dict() if months is not None else {None: len(frame)}
    for month, n in checked.items():
        key = None if month is None or month != month else month  # NaT/NaN -> None
        m = key.date() if hasattr(key, "date") else key
        outcome.per_month.append((outcome.feed, m, cfg.type, column, rule, int(n), int(counts.get(month, 0))))
