"""Run a feed's Great Expectations suite (expectations/<feed>.json) on its staged rows.

The SQL validation decides what is quarantined; the suite is an independent second reading of
the same contract. Every row the suite flags must already be in quarantine: a row it flags
that validation let through is a bug, and the check fails.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import duckdb

from ...lib.background_import import finish
from ...lib.settings import REPO_ROOT
from ..ingest.feeds import ALL_FEEDS

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
FEEDS = {f.name: f for f in ALL_FEEDS}
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


# The suite reads this temporary view: the window's staged rows, exact duplicates counted once.
SUITE_VIEW = "suite_rows"
INDEX_COLUMNS = ["_source_file", "_row_number"]
# A uniqueness expectation is evaluated by Great Expectations on the rows whose value appears more
# than once (found by one GROUP BY in DuckDB), not on every row: it flags exactly the same rows
# (a value seen once is unique), and GX's window over every row cost 11 of the deliveries suite's
# 13 s of SQL at 10M rows (docs/performance.md). The rows checked are still reported in full.
UNIQUE = "expect_column_values_to_be_unique"


def run_suite(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list, as_of: date) -> SuiteOutcome:
    """Run the feed's suite on the staged rows matching `where` (with `args`), in DuckDB."""
    finish("great_expectations")  # a background import under way must end first (lib/background_import.py)
    import great_expectations as gx  # costs seconds: only when a check runs, never at load
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from .gx_duckdb import add_duckdb_source, release_duckdb_source

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    outcome = SuiteOutcome(feed)
    window = _with_date_literals(where, args)
    checked = _rows_per_month(con, feed, where, args)
    if not checked:
        return outcome
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    known = [r[0] for r in con.execute("SELECT vendor_id FROM vendors").fetchall()] if feed != "vendors" else []
    quarantined = _quarantined(con, feed, where, args)
    suite = load_suite_json(feed)
    batches = _suite_batches(con, feed, window, suite)
    source = add_duckdb_source(ctx, "staged", con)
    index = INDEX_COLUMNS + (["month"] if feed != "vendors" else [])
    results = []
    try:
        for view, expectations in batches:
            asset = source.add_table_asset(view, table_name=view)
            part = ctx.suites.add(gx.ExpectationSuite(name=f"{suite['name']}:{view}", expectations=expectations))
            results.append(asset.add_batch_definition_whole_table("window").get_batch().validate(
                part,
                expectation_parameters={"known_vendor_ids": known, "as_of_end": datetime.combine(as_of, time.max)},
                # Every flagged row, named by file, line and month (not the first 20 only).
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index,
                               "partial_unexpected_count": 2**62},
            ))
    finally:
        release_duckdb_source(ctx, source)
        for view, _ in batches[1:]:
            con.execute(f"DROP TABLE IF EXISTS {view}")
        con.execute(f"DROP VIEW IF EXISTS {SUITE_VIEW}")
    for result in results:
        outcome.evaluated += result.statistics["evaluated_expectations"]
        outcome.successful += result.statistics["successful_expectations"]
        for res in result.results:
            _collect(outcome, res, checked, quarantined)
    outcome.per_month.sort(key=lambda r: (str(r[1]), r[2], r[3] or ""))
    return outcome


def _suite_batches(con: duckdb.DuckDBPyConnection, feed: str, window: str, suite: dict) -> list[tuple[str, list]]:
    """(view or table, expectations) pairs: the suite's expectations on the window's rows (a
    view), and each uniqueness expectation on the rows whose value of its column appears more than
    once (a temporary table)."""
    _create_suite_view(con, feed, window)
    batches = [(SUITE_VIEW, [e for e in suite["expectations"] if e["type"] != UNIQUE])]
    for n, expectation in enumerate(e for e in suite["expectations"] if e["type"] == UNIQUE):
        column = expectation["kwargs"]["column"]
        if column not in {c.name for c in FEEDS[feed].columns}:  # an identifier from our own suite file
            raise ValueError(f"expectations/{feed}.json: {UNIQUE} on unknown column {column!r}")
        view = f"{SUITE_VIEW}_repeated_{n}"
        # A table, not a view: found once, not again by each of the expectation's queries.
        # Among rows read whole, as validation judges keys (sql/staged/repeated_keys.sql): a ragged
        # copy is quarantined for its own problem and its sound original stands (review: the suite
        # flagged the original too, and called validation's judgment inconsistent).
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {view} AS SELECT * FROM {SUITE_VIEW}_read_whole
                        WHERE "{column}" IN (SELECT "{column}" FROM {SUITE_VIEW}_read_whole WHERE "{column}" IS NOT NULL
                                             GROUP BY ALL HAVING count(*) > 1)""")
        batches.append((view, [expectation]))
    return batches


def _with_date_literals(where: str, args: list) -> str:
    """`where` with its parameters written as DATE literals, for a view (which takes no
    parameters): they are the window's months, dates the pipeline made, never data."""
    for value in args:
        if not isinstance(value, date):
            raise TypeError(f"suite window bounds must be dates, got {value!r}")
    literal = iter(f"DATE '{value.isoformat()}'" for value in args)
    return re.sub(r"\?", lambda _: next(literal), where)


def _create_suite_view(con: duckdb.DuckDBPyConnection, feed: str, window: str) -> None:
    for name, read_whole in ((SUITE_VIEW, ""), (f"{SUITE_VIEW}_read_whole", " AND _row_error IS NULL")):
        con.execute(f"""CREATE OR REPLACE TEMP VIEW {name} AS
                        SELECT * EXCLUDE (_extra, _parse_problem, _row_error, _dup_places, _fingerprint)
                        FROM stg_{feed} WHERE ({window}) AND _dup_status <> 'duplicate'{read_whole}""")


def _rows_per_month(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list) -> dict:
    """Rows the suite checks, per month (None: unknown month, or the vendor list)."""
    month = "month" if feed != "vendors" else "NULL::DATE"
    return dict(con.execute(f"""SELECT {month} AS m, count(*) FROM stg_{feed}
                                WHERE {where} AND _dup_status <> 'duplicate' GROUP BY m""", args).fetchall())


def _quarantined(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list) -> set[tuple[str, int]]:
    rows = con.execute(f"SELECT source_file, row_number FROM quarantine WHERE feed = ? AND {where}", [feed, *args]).fetchall()
    return {(f, int(r)) for f, r in rows}


def _collect(outcome: SuiteOutcome, res, checked: dict, quarantined: set[tuple[str, int]]) -> None:
    cfg = res.expectation_config
    column = cfg.kwargs.get("column") or f"{cfg.kwargs.get('column_A')},{cfg.kwargs.get('column_B')}"
    rule = (cfg.meta or {}).get("rule", cfg.type)
    flagged: dict = {}
    for row in res.result.get("unexpected_index_list") or []:
        flagged[row.get("month")] = flagged.get(row.get("month"), 0) + 1
        place = (row["_source_file"], int(row["_row_number"]))
        if place not in quarantined:
            outcome.not_quarantined.append(f"{place[0]}:{place[1]} {rule}")
    failure = _exception(res.exception_info)
    if failure:  # an expectation that could not run is not a pass
        outcome.not_quarantined.append(f"(not evaluated) {rule}: {failure}")
    for month, n in checked.items():
        outcome.per_month.append((outcome.feed, month, cfg.type, column, rule, int(n), int(flagged.get(month, 0))))


def _exception(info: dict | None) -> str | None:
    """GX's exception message for a result: at the top level, or per metric (SQL sources)."""
    info = info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    nested = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return str(nested[0].get("exception_message")) if nested else None
