"""Validated feeds: staged rows judged by the contract; valid rows on, the rest to quarantine.

Each asset carries two checks: the row balance (read = valid + quarantined + duplicates, which
must hold or the run fails loudly) and the feed's Great Expectations suite.
"""

from dataclasses import asdict
from datetime import date

import duckdb
import polars as pl
from dagster import (
    AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, AssetKey, AssetsDefinition,
    MaterializeResult, MetadataValue, asset,
)

from ...lib.build_log import fingerprint, forget, last_detail, record, reusable
from ...lib.db import month_filter, prepare, rewrite_in_order, transaction
from ...lib.duckdb_resource import DuckDBResource
from ...lib.months import ALL_MONTHS, add_months, range_label
from ...lib.partitions import monthly_partitions, single_run, window
from ...lib.resources import TrustcardSettings
from ..ingest.assets import landing_failure
from ..ingest.feeds import ALL_FEEDS, Feed
from ..ingest.landing import LandingError
from .expectations_suite import RESULT_COLUMNS, SuiteOutcome, run_suite
from .changed_months import (basis, mark_scores_out_of_date, months_changed, months_reached, results,
                              windows_to_validate)
from .validate import VALID_TABLE, feed_summary, rows_not_listed, validate_feed

BALANCE_CHECK = "rows_balance"
SUITE_CHECK = "contract_suite"


def validated_asset(feed: Feed) -> AssetsDefinition:
    name = VALID_TABLE[feed.name]
    deps = [AssetKey(f"staged_{feed.name}")] + ([AssetKey("vendors")] if feed.is_folder else [])

    @asset(
        name=name,
        group_name="quality",
        deps=deps,
        partitions_def=monthly_partitions,
        backfill_policy=single_run,
        pool="duckdb",
        kinds={"duckdb"},
        check_specs=[
            AssetCheckSpec(BALANCE_CHECK, asset=name, blocking=True,
                           description="rows read = rows valid + rows quarantined + exact duplicates, per month"),
            AssetCheckSpec(SUITE_CHECK, asset=name,
                           description=f"expectations/{feed.name}.json on the staged rows; all it flags is quarantined"),
        ],
        description=f"Valid {feed.name} rows; failures go to `quarantine` with file, line, column and reason.",
    )
    def _validated(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
        start, end = window(context)
        with duckdb.connect() as con:
            prepare(con)
            step, fp = f"validate:{feed.name}", _validation_fingerprint(con, feed, settings.as_of_date)
            summary = reusable(con, step, fp, name)
            reused = summary is not None
            if not reused:
                try:
                    summary = _validate(context, con, feed, step, fp, settings.as_of_date)
                except LandingError as exc:  # the vendor list has no valid vendor
                    raise landing_failure(exc) from exc
            balance = _balance(con, feed, *ALL_MONTHS)
            suite = _suite(con, feed, start, end, settings.as_of_date, fp)
        for column, reason, rows, place in summary["top_reasons"]:
            context.log.warning(f"{feed.name}: {rows} row(s) quarantined, {column}: {reason} (first at {place})")
        not_listed = rows_not_listed(summary["rows_quarantined"], summary["top_reasons"])
        if not_listed:
            context.log.warning(f"{feed.name}: {not_listed} more row(s) quarantined for other reasons "
                                "(the quarantine table has every row)")
        for note in summary.get("notes", ()):  # a summary recorded before notes were kept has none
            context.log.warning(f"{feed.name}: {note}")
        if not suite.consistent:  # the check's result alone reached the event log, never the command
            context.log.warning(f"{feed.name}: Great Expectations flagged {len(suite.not_quarantined)} row(s) or "
                                f"expectation(s) outside quarantine, first {suite.not_quarantined[0]}: the suite and "
                                "the validation SQL disagree (the contract_suite check failed; the scores count what "
                                "validation kept)")
        return MaterializeResult(
            metadata={
                "rows_read": summary["rows_read"], "rows_valid": summary["rows_valid"],
                "rows_quarantined": summary["rows_quarantined"], "rows_duplicate": summary["rows_duplicate"],
                "notes": MetadataValue.json(list(summary.get("notes", ()))),
                "top_reasons": MetadataValue.json([
                    {"column": c, "reason": r, "rows": n, "first_at": p} for c, r, n, p in summary["top_reasons"]
                ]),
                # Staged rows and the as-of date unchanged since the last run: its tables are reused.
                "reused": reused,
                # Which months were judged again: those whose staged rows changed, or that hold a
                # date a new as-of date reaches ('every month' when the code or vendor list changed).
                "validated": "no month (reused)" if reused else summary["validated"],
                # Months whose valid rows this run changed ('all': the vendor list), and the first
                # month a score may have moved in (earlier for an announcement judged before it fell
                # due): months scored before from then on are out of date (the command says which).
                "months_changed": MetadataValue.json([] if reused else summary["months_changed"]),
                "scores_move_from": "" if reused else summary.get("scores_move_from") or "",
            },
            check_results=[_balance_result(balance), _suite_result(suite)],
        )

    return _validated


def _validate(context: AssetExecutionContext, con: duckdb.DuckDBPyConnection, feed: Feed, step: str, fp: str,
              as_of: date) -> dict:
    """Validate the months whose staged rows changed since the last validation, and those holding
    a date a new as-of date judges differently (every month when the vendor list or the code
    changed), and record what it was based on."""
    now = basis(con, feed, as_of)
    before = last_detail(con, step) or {}
    reached = months_reached(con, feed, (before.get("basis") or {}).get("as_of"), as_of)
    windows = windows_to_validate(feed, before.get("basis"), now, reached)
    forget(con, step)  # a crash halfway leaves no basis: the next run validates every month
    for start, end in windows:
        validate_feed(con, feed, start, end, as_of, context.run_id)
    judged = "every month" if windows == [ALL_MONTHS] else (
        ", ".join(_months_label(s, e) for s, e in windows) or "no month (no row changed)")
    written = results(con, feed, VALID_TABLE[feed.name], windows, before.get("results"))
    changed, reach = months_changed(before.get("results"), written)
    mark_scores_out_of_date(con, reach)
    context.log.info(f"{feed.name}: validated {judged}; valid rows changed in "
                     + (", ".join(changed) if changed else "no month"))
    summary = asdict(feed_summary(con, feed)) | {"validated": judged, "months_changed": changed,
                                                  "scores_move_from": reach}
    record(con, step, fp, summary | {"basis": now, "results": written})
    return summary


def _months_label(start: date, end: date) -> str:
    """A window's months as the CLI prints them; an empty window judges the rows of no month."""
    return "rows of no month" if end <= start else range_label(start, add_months(end, -1))


def _validation_fingerprint(con: duckdb.DuckDBPyConnection, feed: Feed, as_of: date) -> str:
    """What a feed's validation depends on: its staged rows and the vendor list's (each named by
    its staging fingerprint), and the as-of date (facts after it are rejected)."""
    staged = dict(con.execute("SELECT step, fingerprint FROM build_log WHERE step IN (?, ?)",
                              [f"stage:{feed.name}", "stage:vendors"]).fetchall())
    return fingerprint("validate", feed.name, staged.get(f"stage:{feed.name}"),
                       staged.get("stage:vendors") if feed.is_folder else None, as_of)


def _balance(con: duckdb.DuckDBPyConnection, feed: Feed, start: date, end: date) -> list[tuple]:
    """Months where staged rows differ from rows read, or rows read from valid + quarantined +
    duplicates (should be none)."""
    where, args = month_filter(feed.is_folder, start, end)
    month = "month" if feed.is_folder else "NULL::DATE"
    staged = dict(con.execute(
        f"SELECT {month} AS m, count(*) FROM stg_{feed.name} WHERE {where} GROUP BY m", args).fetchall())
    logged = {m: (read, accounted) for m, read, accounted in con.execute(
        f"""SELECT month, rows_read, rows_valid + rows_quarantined + rows_duplicate FROM ingest_log
            WHERE feed = ? AND {where}""", [feed.name, *args]).fetchall()}
    broken = []
    for m in sorted(set(staged) | set(logged), key=str):
        read, accounted = logged.get(m, (None, None))
        if staged.get(m) != read or read != accounted:
            broken.append((m, staged.get(m), read, accounted))
    return broken


def _balance_result(broken: list[tuple]) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=BALANCE_CHECK,
        passed=not broken,
        severity=AssetCheckSeverity.ERROR,
        metadata={"unbalanced_months": MetadataValue.json(
            [{"month": str(m), "staged": s, "read": r, "accounted": a} for m, s, r, a in broken])},
        description=None if not broken else "rows were lost or double-counted between staging and validation",
    )


def _suite(con: duckdb.DuckDBPyConnection, feed: Feed, start: date, end: date, as_of: date,
           validated: str) -> SuiteOutcome:
    """The suite's outcome on the window: reused when every month of it was checked, consistent,
    on the same validated data (`validated` = the validation's fingerprint); else run (which
    costs a Great Expectations import, seconds, on top of the checks) and recorded."""
    where, args = month_filter(feed.is_folder, start, end)
    step = f"suite:{feed.name}"
    months = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT month FROM stg_{feed.name} WHERE {where}" if feed.is_folder else "SELECT NULL", args).fetchall()]
    checked = reusable(con, step, validated, "expectation_results")
    if checked is not None and set(months) <= set(checked["months"]):
        return _stored_outcome(con, feed, where, args, checked["evaluated"])
    outcome = run_suite(con, feed.name, where, args, as_of)
    _store_results(con, feed, outcome, where, args)
    if outcome.consistent:  # a failing check is never reused: it is looked at again every run
        before = checked["months"] if checked is not None else []
        record(con, step, validated, {"evaluated": outcome.evaluated, "months": sorted(set(before) | set(months))})
    return outcome


def _stored_outcome(con: duckdb.DuckDBPyConnection, feed: Feed, where: str, args: list, evaluated: int) -> SuiteOutcome:
    rows = con.execute(f"SELECT * FROM expectation_results WHERE feed = ? AND {where} ORDER BY ALL",
                       [feed.name, *args]).fetchall()
    failed = {(r[2], r[3]) for r in rows if r[-1] > 0}
    return SuiteOutcome(feed.name, evaluated, evaluated - len(failed), [tuple(r) for r in rows], [])


def _store_results(con: duckdb.DuckDBPyConnection, feed: Feed, outcome: SuiteOutcome, where: str, args: list) -> None:
    """Keep the suite's per-month counts for the data-quality report (replacing the window's)."""
    prepare(con)
    frame = pl.DataFrame(outcome.per_month, schema=dict(zip(RESULT_COLUMNS, [
        pl.String, pl.Date, pl.String, pl.String, pl.String, pl.Int64, pl.Int64])), orient="row")
    con.register("suite_frame", frame.to_arrow())
    try:
        con.execute("CREATE TABLE IF NOT EXISTS expectation_results AS SELECT * FROM suite_frame LIMIT 0")
        with transaction(con):
            con.execute(f"DELETE FROM expectation_results WHERE feed = ? AND {where}", [feed.name, *args])
            con.execute("INSERT INTO expectation_results SELECT * FROM suite_frame")
            rewrite_in_order(con, "expectation_results")
    finally:
        con.unregister("suite_frame")


def _suite_result(outcome: SuiteOutcome) -> AssetCheckResult:
    flagged = sum(r[-1] for r in outcome.per_month)
    return AssetCheckResult(
        check_name=SUITE_CHECK,
        passed=outcome.consistent,
        severity=AssetCheckSeverity.ERROR if not outcome.consistent else AssetCheckSeverity.WARN,
        metadata={
            "expectations_evaluated": outcome.evaluated,
            "expectations_met": outcome.successful,
            "rows_flagged": flagged,
            "flagged_but_not_quarantined": MetadataValue.json(outcome.not_quarantined[:20]),
        },
    )


validated_assets = [validated_asset(feed) for feed in ALL_FEEDS]
