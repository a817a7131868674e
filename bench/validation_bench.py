"""How much does validation cost? trustcard's staging + validation of the deliveries feed, and its
Great Expectations suite, against the floor: the same row checks as one hand-written DuckDB query
over the same files. Prints one table and a ratio line; run with `make bench-validation`.

    python bench/validation_bench.py [--months 24] [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipelines.defs.ingest.feeds import DELIVERIES, VENDORS
from pipelines.defs.ingest.staging import stage_feed
from pipelines.defs.quality.expectations_suite import run_suite
from pipelines.defs.quality.validate import validate_feed
from pipelines.lib.duckdb_resource import open_database
from pipelines.lib.months import ALL_MONTHS
from pipelines.sample_data import generate

AS_OF = date(2026, 11, 26)

# The floor: the deliveries contract's row checks, one pass of DuckDB's own CSV reader.
FLOOR_SQL = """
WITH raw AS (
  SELECT * FROM read_csv('{glob}', all_varchar = true, header = true)
), typed AS (
  SELECT delivery_id, vendor_id, TRY_CAST(promised_date AS DATE) AS promised_date,
         TRY_CAST(delivered_date AS DATE) AS delivered_date, TRY_CAST(qty_ordered AS DOUBLE) AS qty_ordered,
         TRY_CAST(qty_delivered AS DOUBLE) AS qty_delivered, TRY_CAST(qty_rejected AS DOUBLE) AS qty_rejected,
         count(*) OVER (PARTITION BY delivery_id) AS copies
  FROM raw
)
SELECT count(*) AS rows_read,
       count(*) FILTER (WHERE delivery_id IS NULL OR vendor_id IS NULL OR promised_date IS NULL OR qty_ordered IS NULL
                          OR qty_ordered <= 0 OR qty_delivered < 0 OR qty_rejected < 0
                          OR qty_rejected > coalesce(qty_delivered, qty_ordered)
                          OR delivered_date > DATE '{as_of}' OR copies > 1
                          OR vendor_id NOT IN (SELECT vendor_id FROM read_csv('{vendors}', all_varchar = true))) AS rejected
FROM typed
"""


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        counts = generate(landing, date(2026, 10, 1), months=args.months)
        # The floor reads CSV only: leave the one Parquet file out of both sides.
        for parquet in (landing / "deliveries").glob("*.parquet"):
            parquet.unlink()
        con = open_database(Path(tmp) / "bench.duckdb")
        stage_feed(con, landing, VENDORS, *ALL_MONTHS)
        validate_feed(con, VENDORS, *ALL_MONTHS, AS_OF, "bench")

        def trustcard() -> object:
            stage_feed(con, landing, DELIVERIES, *ALL_MONTHS)
            return validate_feed(con, DELIVERIES, *ALL_MONTHS, AS_OF, "bench")

        def floor() -> object:
            sql = FLOOR_SQL.format(glob=landing / "deliveries" / "*.csv", vendors=landing / "vendors.csv", as_of=AS_OF)
            return con.execute(sql).fetchall()[0]

        t_floor, floor_result = timed(floor, args.repeat)
        t_sql, summary = timed(trustcard, args.repeat)
        run_suite(con, "deliveries", "true", [], AS_OF)  # warm the import: its 2-6 s are paid once per process
        t_gx, _ = timed(lambda: run_suite(con, "deliveries", "true", [], AS_OF), args.repeat)
        con.close()
    rows = floor_result[0]
    print(f"validation bench: {rows:,} delivery rows ({counts['deliveries']:,} generated, CSV only), median of {args.repeat}")
    print(f"{'stage':<44}{'seconds':>9}{'x floor':>9}{'rows/s':>12}")
    for name, t in [("floor: one DuckDB query, same row checks", t_floor),
                    ("trustcard: read + stage + validate + quarantine", t_sql),
                    ("trustcard: Great Expectations suite (in DuckDB)", t_gx)]:
        print(f"{name:<44}{t:>9.2f}{t / t_floor:>9.1f}{rows / t:>12,.0f}")
    print(f"rows rejected: floor {floor_result[1]}, trustcard {summary.rows_quarantined}")
    print(f"bench: floor=1.00 validate={t_sql / t_floor:.2f} gx={t_gx / t_floor:.2f}")


if __name__ == "__main__":
    main()
