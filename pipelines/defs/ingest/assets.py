"""Staging assets: one per feed, landing files -> `stg_<feed>` for the run's months."""

from dagster import AssetExecutionContext, AssetsDefinition, Failure, MaterializeResult, MetadataValue, asset

from ...lib.background_import import finish, import_in_background
from ...lib.build_log import code_version, fingerprint, forget, last_detail, record, reusable
from ...lib.db import month_filter, prepare
from ...lib.duckdb_resource import DuckDBResource
from ...lib.months import ALL_MONTHS
from ...lib.partitions import monthly_partitions, single_run, window
from ...lib.resources import TrustcardSettings
from .feeds import ALL_FEEDS, FEED_FOLDERS, Feed
from .landing import (HIDDEN_FILE_SKIPPED, STRAY_ENTRY_SKIPPED, LandingError, file_signatures, hidden_data_files,
                      stray_root_entries)
from .staging import (files_gone, gone_rows_still_read, keep_rows_of_gone_files, refuse_a_feed_gone_empty,
                      spooled_files_missing, stage_feed)


def staged_asset(feed: Feed) -> AssetsDefinition:
    @asset(
        name=f"staged_{feed.name}",
        group_name="ingest",
        partitions_def=monthly_partitions,
        backfill_policy=single_run,
        pool="duckdb",
        kinds={"duckdb", "polars"},
        description=f"Landing `{feed.path}` read as text against the contract and typed into `stg_{feed.name}` "
        "(every month of the files: duplicates and look-backs span months).",
    )
    def _staged(context: AssetExecutionContext, duckdb: DuckDBResource, settings: TrustcardSettings) -> MaterializeResult:
        try:
            with duckdb.connect() as con:
                prepare(con)
                signatures = file_signatures(settings.landing, feed)
                step, fp = f"stage:{feed.name}", stage_fingerprint(feed, signatures)
                reused = reusable(con, step, fp, f"stg_{feed.name}")
                if reused is not None and spooled_files_missing(con, feed):
                    reused = None  # spooled again (only the files, when the staged rows stand alone)
                if reused is None:
                    refuse_a_feed_gone_empty(con, step, feed, has_files=bool(signatures))
                    # Validation will run the Great Expectations suites on what is staged now.
                    import_in_background("great_expectations")
                    before = last_staged(con, step)
                    gone = files_gone(con, feed, set(signatures))
                    if gone:
                        keep_rows_of_gone_files(con, feed, [rel for rel, _ in gone])
                    forget(con, step)
                    try:
                        summary = stage_feed(con, settings.landing, feed, *ALL_MONTHS, previous=before)
                    finally:
                        finish("great_expectations")  # before any other import can race it
                    built = {"files": summary.files, "rows_read": summary.rows_read,
                             "blank_lines": summary.blank_lines, "signatures": summary.signatures,
                             "code": code_version()}
                    record(con, step, fp, built)
                    still_read = gone_rows_still_read(con, feed) if gone else {}
                    # What was last read, kept apart from the step's record, which a failed
                    # staging forgets: a broken export followed by an empty one is still refused.
                    record(con, f"landed:{feed.name}", fp, {"rows_read": built["rows_read"], "files": built["files"]})
                in_window = _rows_in_window(con, feed, *window(context))
        except LandingError as exc:
            raise landing_failure(exc) from exc
        for rel, rows in (gone if reused is None else []):
            log_gone_file(context, feed, rel, rows, *still_read.get(rel, (0, [])))
        for rel in hidden_data_files(settings.landing, feed):
            context.log.warning(f"{feed.name}: {rel} {HIDDEN_FILE_SKIPPED}")
        for rel in (stray_root_entries(settings.landing, FEED_FOLDERS) if not feed.is_folder else []):
            context.log.warning(f"{feed.name}: {rel} {STRAY_ENTRY_SKIPPED}")  # the root is the vendor list's
        detail = reused if reused is not None else built
        context.log.info(f"{feed.name}: {detail['rows_read']} rows from {len(detail['files'])} file(s)"
                         + (", unchanged since the last run: reused" if reused is not None else ""))
        return MaterializeResult(metadata={
            "files": MetadataValue.json(detail["files"]),
            "rows_read": detail["rows_read"],
            "rows_in_window": in_window,
            "blank_lines_skipped": detail["blank_lines"],
            "reused": reused is not None,
        })

    return _staged


def log_gone_file(context, feed: Feed, rel: str, rows: int, still: int, where: list[str]) -> None:
    """A landing file gone since the last run: renamed or split when every row it held is read from
    the files there now (the same typed values; said as information), lost otherwise (a warning, with
    the rows that no longer count)."""
    names = ", ".join(where[:3]) + (f" and {len(where) - 3} more" if len(where) > 3 else "")
    if rows and still >= rows:
        context.log.info(f"{feed.name}: {rel} is gone since the last run; its {rows:,} row(s) are read from {names} "
                         "now (renamed, moved or split): they still count")
        return
    part = f"; {still:,} of them are read from {names} now" if still else ""
    context.log.warning(f"{feed.name}: {rel} is gone since the last run, which read {rows:,} row(s) from it{part}; "
                        f"{'the other' if still else 'its'} {rows - still:,} row(s) no longer count (a failed export? "
                        "put it back and rerun)")


def stage_fingerprint(feed: Feed, signatures: dict[str, list[int]]) -> str:
    """Names, sizes, modification and change times and inodes of the feed's landing files (and
    trustcard's code): any write, replacement or copy over a file changes its change time, even one
    that keeps the modification time (cp -p)."""
    files = [(name, *signature) for name, signature in signatures.items()]
    return fingerprint("stage", feed.name, files)


def last_staged(con, step: str) -> dict[str, list[int]] | None:
    """The file signatures the staged table was last built from, when this same code built it
    (then only files changed since need staging again); None otherwise."""
    detail = last_detail(con, step) or {}
    return detail.get("signatures") if detail.get("code") == code_version() else None


def _rows_in_window(con, feed: Feed, start, end) -> int:
    where, args = month_filter(feed.is_folder, start, end)
    return con.execute(f"SELECT count(*) FROM stg_{feed.name} WHERE {where} AND month IS NOT NULL"
                       if feed.is_folder else f"SELECT count(*) FROM stg_{feed.name}", args).fetchall()[0][0]


staged_assets = [staged_asset(feed) for feed in ALL_FEEDS]


def landing_failure(exc: LandingError) -> Failure:
    """Structural: a file cannot be read as the contract says. Downstream must not run, and a retry
    would only fail the same way."""
    return Failure(description=str(exc), metadata={"file": exc.file, "column": exc.column or "", "line": exc.line or 0},
                   allow_retries=False)
