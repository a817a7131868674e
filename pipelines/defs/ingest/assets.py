"""Staging assets: one per feed, landing files -> `stg_<feed>` for the run's months."""

from dagster import AssetExecutionContext, AssetsDefinition, Failure, MaterializeResult, MetadataValue, asset

from ...lib.db import month_filter
from ...lib.duckdb_resource import DuckDBResource
from ...lib.months import ALL_MONTHS
from ...lib.partitions import monthly_partitions, single_run, window
from ...lib.resources import TrustcardSettings
from .feeds import ALL_FEEDS, Feed
from .landing import LandingError
from .staging import stage_feed


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
                summary = stage_feed(con, settings.landing, feed, *ALL_MONTHS)
                in_window = _rows_in_window(con, feed, *window(context))
        except LandingError as exc:
            # Structural: the file cannot be read as the contract says. Downstream must not run.
            raise Failure(
                description=str(exc),
                metadata={"file": exc.file, "column": exc.column or "", "line": exc.line or 0},
                allow_retries=False,
            ) from exc
        context.log.info(f"{feed.name}: {summary.rows_read} rows read from {len(summary.files)} file(s)")
        return MaterializeResult(metadata={
            "files": MetadataValue.json(summary.files),
            "rows_read": summary.rows_read,
            "rows_in_window": in_window,
            "blank_lines_skipped": summary.blank_lines,
        })

    return _staged


def _rows_in_window(con, feed: Feed, start, end) -> int:
    where, args = month_filter(feed.is_folder, start, end)
    return con.execute(f"SELECT count(*) FROM stg_{feed.name} WHERE {where} AND month IS NOT NULL"
                       if feed.is_folder else f"SELECT count(*) FROM stg_{feed.name}", args).fetchall()[0][0]


staged_assets = [staged_asset(feed) for feed in ALL_FEEDS]
