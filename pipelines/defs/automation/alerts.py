"""Alerts to the data engineers: a run that failed, whole or in part (the alert lists what it
wrote before the failure: each month's write is a transaction, so those tables are whole)."""

from pathlib import Path

from dagster import DagsterEventType, DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from ...lib.resources import TrustcardSettings
from ...lib.run_errors import root_message
from ...lib.tags import RANGE_END_TAG, RANGE_START_TAG, REASON_TAG, TRIGGER_TAG
from ..jobs import monthly_job, tables_job
from ..mail.outbox import MailError
from ..mail.settings import MailSettings
from ..mail.alerts import send_alert

FAILURE_SENSOR = "run_failure_alert"
WATCHED = [monthly_job, tables_job]


def describe_run(run, instance) -> list[str]:
    """The lines every alert starts with: which run, which months, what started it."""
    tags = run.tags
    months = _months_arg(run)
    done = sorted({e.asset_materialization.asset_key.to_user_string()
                   for e in _events(instance, run.run_id, DagsterEventType.ASSET_MATERIALIZATION)})
    return [
        f"run:      {run.run_id} ({run.job_name})",
        f"months:   {months}",
        f"trigger:  {tags.get(TRIGGER_TAG, 'manual')}: {tags.get(REASON_TAG, '')}".rstrip(": "),
        f"written:  {', '.join(done) or 'nothing'}",
    ]


def failure_body(run, instance) -> str:
    lines = describe_run(run, instance) + ["", "failed steps:"]
    for event in _events(instance, run.run_id, DagsterEventType.STEP_FAILURE):
        message = root_message(event.dagster_event.event_specific_data.error) or "unknown error"
        lines.append(f"  {event.dagster_event.step_key}: {message}")
    lines += ["", "Nothing of a failed month is half-written: each month's write is one transaction.",
              "Rerun with: trustcard run --months " + _months_arg(run)]
    return "\n".join(lines) + "\n"


def _events(instance, run_id: str, kind: DagsterEventType) -> list:
    return [e for e in instance.all_logs(run_id, of_type=kind) if e.dagster_event is not None]


def _months_arg(run) -> str:
    """The run's months as `trustcard run --months` takes them: a range, or the one partition of a
    run launched for a single month from the UI."""
    single = run.tags.get("dagster/partition", "?")
    return f"{run.tags.get(RANGE_START_TAG, single)[:7]}..{run.tags.get(RANGE_END_TAG, single)[:7]}"


def alerts_dir(settings: TrustcardSettings) -> Path:
    """Where alerts go as files when no SMTP server is configured (dry-run)."""
    return settings.reports / "alerts"


def _alert(subject: str, body: str, settings: TrustcardSettings) -> None:
    try:
        send_alert(subject, body, MailSettings.from_env(), alerts_dir(settings))
    except MailError as exc:
        # The alert itself failed: the sensor's tick shows it as failed, with this reason.
        raise RuntimeError(f"could not send the alert '{subject}': {exc}") from exc


@run_failure_sensor(name=FAILURE_SENSOR, monitored_jobs=WATCHED, default_status=DefaultSensorStatus.RUNNING,
                    description="Mails the data-engineer list (TRUSTCARD_MAIL_ENGINEERS) when a run fails.")
def run_failure_alert(context: RunFailureSensorContext, settings: TrustcardSettings) -> None:
    run = context.dagster_run
    _alert(f"trustcard: run {run.run_id[:8]} failed ({_months_arg(run)})", failure_body(run, context.instance), settings)


alert_sensors = [run_failure_alert]
