"""The monthly partitions every asset shares, and the month window of a run."""
from __future__ import annotations

from datetime import date

from dagster import AssetExecutionContext, BackfillPolicy, MonthlyPartitionsDefinition

from .months import parse_month
from .settings import first_month_from_env

# end_offset=0: the last partition is the last complete month. UTC, like the data's months.
monthly_partitions = MonthlyPartitionsDefinition(
    start_date=f"{first_month_from_env()}-01", end_offset=0, timezone="UTC"
)
# A range of months runs as one Dagster run: every asset handles the whole window at once.
single_run = BackfillPolicy.single_run()


def window(context: AssetExecutionContext) -> tuple[date, date]:
    """The run's months as [start, end): first day of the first month, first day after the last."""
    tw = context.partition_time_window
    return tw.start.date(), tw.end.date()


def first_partition_month() -> date:
    return parse_month(first_month_from_env())
