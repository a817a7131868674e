"""The monthly schedule: score the month that just closed, and re-score the months before it
that were still maturing when last scored, as one run."""

import os
from datetime import date, timedelta

from dagster import (
    DefaultScheduleStatus, RunRequest, ScheduleDefinition, ScheduleEvaluationContext, SkipReason, schedule,
)

from ...lib.months import add_months, month_key, month_start
from ...lib.partitions import first_partition_month
from ...lib.tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG, TRIGGER_TAG
from ..jobs import monthly_job

SCHEDULE_NAME = "monthly_scorecard_schedule"


def months_to_score(tick: date, maturity_days: int, first_allowed: date) -> tuple[date, date]:
    """The month before `tick`, and every earlier month that was still maturing at the previous
    monthly tick: that run stored its figures as provisional, and this one recomputes them, final
    or nearer to it. (Judged against this tick instead, a month still maturing at the last run but
    mature now was never scored again.)

    A month is provisional while it ended less than `maturity_days` before the latest date in the
    data (sql/scorecard/scorecard_pillars.sql), not before the tick: on the 3rd the data reaches
    the end of the month just closed, a few days short of the tick. So the previous run is judged
    at the last day of the month it closed (Judged at the tick itself, December, mature on
    Jan 1 + 60 days = Mar 2, was left provisional by the Mar 3 run, its data ending Feb 28, and
    never scored again.)"""
    last = add_months(month_start(tick), -1)
    previous_tick = last.replace(day=tick.day)  # the schedule's day is 1-28: it exists every month
    data_then = month_start(previous_tick) - timedelta(days=1)  # what that run's data reached
    first = last
    # Month m was provisional while m + 1 month + maturity_days > data_then; `first` is the month
    # after the candidate.
    while first > first_allowed and data_then - first < timedelta(days=maturity_days):
        first = add_months(first, -1)
    return max(first, first_allowed), last


def schedule_time_from_env() -> tuple[int, int]:
    """TRUSTCARD_SCHEDULE_DAY (1-28, default 3) and TRUSTCARD_SCHEDULE_HOUR (0-23 UTC, default 6)."""
    day, hour = os.environ.get("TRUSTCARD_SCHEDULE_DAY", "3"), os.environ.get("TRUSTCARD_SCHEDULE_HOUR", "6")
    if not (day.isdigit() and 1 <= int(day) <= 28):
        raise ValueError(f"TRUSTCARD_SCHEDULE_DAY must be a day of the month from 1 to 28, got {day!r}")
    if not (hour.isdigit() and 0 <= int(hour) <= 23):
        raise ValueError(f"TRUSTCARD_SCHEDULE_HOUR must be an hour from 0 to 23 (UTC), got {hour!r}")
    return int(day), int(hour)


def build_schedule(day: int, hour: int, maturity_days: int) -> ScheduleDefinition:
    @schedule(
        name=SCHEDULE_NAME,
        job=monthly_job,
        cron_schedule=f"0 {hour} {day} * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"On day {day} at {hour:02d}:00 UTC: the month just closed, plus earlier months still "
        f"within {maturity_days} days of maturing, as one run.",
    )
    def _monthly(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        tick = context.scheduled_execution_time.date()
        first, last = months_to_score(tick, maturity_days, first_partition_month())
        if last < first:  # the month just closed is before TRUSTCARD_FIRST_MONTH (review: a backwards range)
            return SkipReason(f"{last:%Y-%m} closed, before TRUSTCARD_FIRST_MONTH {first:%Y-%m}: no month to score yet")
        rescored = f"; re-scores {first:%Y-%m}..{add_months(last, -1):%Y-%m} while complaints mature" if first < last else ""
        return RunRequest(
            run_key=f"schedule-{tick:%Y-%m-%d}",
            tags={
                RANGE_START_TAG: month_key(first),
                RANGE_END_TAG: month_key(last),
                TRIGGER_TAG: "schedule",
                REASON_TAG: f"{last:%Y-%m} closed{rescored}",
            },
        )

    return _monthly
