"""Metric and scorecard assets: the SQL models of sql/metrics and sql/scorecard, month by month."""

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from ...lib.duckdb_resource import DuckDBResource
from ...lib.months import ranges_label
from ...lib.partitions import first_partition_month, monthly_partitions, single_run, window
from .build import build_metric, build_scorecard
from .model import load_model

METRIC_SOURCES = {
    "delivery_metrics": "deliveries",
    "complaint_metrics": "complaints",
    "announcement_metrics": "announcement_events",
}
# SQL models each metric asset runs, in order: complaint_metrics aggregates the per-complaint
# records of complaint_recovery, which the reports show as evidence.
MODELS = {"complaint_metrics": ("complaint_recovery", "complaint_metrics")}


def metric_asset(model: str, source: str) -> AssetsDefinition:
    @asset(
        name=model,
        group_name="metrics",
        deps=[AssetKey(source)],
        partitions_def=monthly_partitions,
        backfill_policy=single_run,
        pool="duckdb",
        kinds={"duckdb", "sql"},
        description=f"sql/metrics/{model}.sql: per vendor and month, from the validated `{source}`.",
    )
    def _metric(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
        start, end = window(context)
        with duckdb.connect() as con:
            rows = {m: build_metric(con, m, start, end, load_model()) for m in MODELS.get(model, (model,))}
        return MaterializeResult(metadata={f"rows_{m}": n for m, n in rows.items()})

    return _metric


metric_assets = [metric_asset(m, s) for m, s in METRIC_SOURCES.items()]


@asset(
    group_name="scorecard",
    deps=[AssetKey(m) for m in METRIC_SOURCES] + [AssetKey("vendors")],
    partitions_def=monthly_partitions,
    backfill_policy=single_run,
    pool="duckdb",
    kinds={"duckdb", "sql"},
    description="The contract's `scorecard` table: a row per vendor and month, pillars and trust score with memory.",
)
def scorecard(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
    start, end = window(context)
    with duckdb.connect() as con:
        rows, rescored, basis_change = build_scorecard(con, start, end, load_model(), memory_from=first_partition_month())
        # The last month of this run's window, named: never a month outside it.
        # The vendors as the executive PDF counts them: our own company apart (review: the run said
        # mean trust 37.9 of 29, the PDF 38.1 of 28)
        summary = con.execute(
            """SELECT max(s.month), count(*) FILTER (WHERE NOT own), count(s.trust_score) FILTER (WHERE NOT own),
                      round(avg(s.trust_score) FILTER (WHERE NOT own), 1),
                      count(*) FILTER (WHERE s.grade IN ('D', 'F') AND NOT own),
                      round(max(s.trust_score) FILTER (WHERE own), 1)
               FROM scorecard s JOIN (SELECT vendor_id, coalesce(is_self, false) AS own FROM vendors) v USING (vendor_id)
               WHERE s.month = (SELECT max(month) FROM scorecard WHERE month >= ? AND month < ?)""",
            [start, end]).fetchall()[0]
        latest, summary = summary[0], summary[1:]
        # Months outside this window whose rows changed since they were scored (the UI's note)
        stale = [m for (m,) in con.execute("SELECT month FROM scores_out_of_date ORDER BY month").fetchall()]
    return MaterializeResult(metadata={
        "months_out_of_date": ranges_label(stale) or "none",
        "rows": rows,
        "rescored": rescored,
        # how scores are made changed since the last scoring: every month not scored again is out of date
        "scoring_changed": basis_change or "no",
        "latest_month": f"{latest:%Y-%m}" if latest else "none in the window",
        "latest_month_vendors": summary[0],
        "latest_month_scored": summary[1],
        "latest_month_mean_trust": MetadataValue.float(float(summary[2])) if summary[2] is not None else None,
        "latest_month_grade_d_or_f": summary[3],
        "latest_month_own_company_trust": MetadataValue.float(float(summary[4])) if summary[4] is not None else None,
    })
