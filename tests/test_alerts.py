"""A failed run mails the data-engineer list: a real failed run on a real instance, the real
run-failure sensor, a real SMTP server on loopback."""
from __future__ import annotations

import email
import socket
from datetime import date
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context

from conftest import Landing, run_months
from pipelines.defs.automation.alerts import FAILURE_SENSOR, run_failure_alert
from pipelines.lib.resources import TrustcardSettings
from pipelines.lib.settings import Settings

ENGINEERS = ["oncall@data.test", "lead@data.test"]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in {"TRUSTCARD_SMTP_HOST": "127.0.0.1", "TRUSTCARD_SMTP_PORT": str(port),
                        "TRUSTCARD_SMTP_SECURITY": "none", "TRUSTCARD_MAIL_ENGINEERS": ";".join(ENGINEERS)}.items():
        monkeypatch.setenv(name, value)
    yield box
    controller.stop()


def failed_run(landing: Landing, db: Path):
    """A run that stages the vendors and then fails: a deliveries file of the wrong type."""
    landing.vendors([["V1", "Acme", "parts", "", ""]])
    (landing.root / "deliveries").mkdir(parents=True)
    (landing.root / "deliveries" / "orders.xlsx").write_bytes(b"PK\x03\x04")
    result = run_months(landing.root, db, date(2026, 10, 1), raise_on_error=False)
    assert not result.success
    return result


def evaluate_failure_sensor(instance: DagsterInstance, run_id: str, reports: Path) -> None:
    run = instance.get_run_by_id(run_id)
    failure = next(e.dagster_event for e in instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE))
    settings = TrustcardSettings.from_settings(Settings(Path("."), Path("x.duckdb"), reports, "2006-01", date(2026, 11, 26)))
    context = build_run_status_sensor_context(
        sensor_name=FAILURE_SENSOR, dagster_instance=instance, dagster_run=run, dagster_event=failure,
        resources={"settings": settings}).for_run_failure()
    run_failure_alert(context)


def test_a_failed_run_mails_the_engineers_what_failed_and_what_was_written(landing: Landing, tmp_path: Path,
                                                                          dagster_home: Path, inbox: Inbox):
    result = failed_run(landing, tmp_path / "t.duckdb")
    with DagsterInstance.get() as instance:
        evaluate_failure_sensor(instance, result.run_id, tmp_path / "reports")
    [(recipients, message)] = inbox.messages
    assert sorted(recipients) == sorted(ENGINEERS)
    assert message["Subject"] == f"[trustcard] trustcard: run {result.run_id[:8]} failed (2026-10..2026-10)"
    body = message.get_content()
    assert f"run:      {result.run_id} (monthly_tables)" in body
    assert "staged_deliveries: deliveries/orders.xlsx: unsupported file type '.xlsx'" in body
    written = next(line for line in body.splitlines() if line.startswith("written:"))
    assert "staged_vendors" in written and "scorecard" not in written  # the part that did succeed
    assert "trustcard run --months 2026-10..2026-10" in body


def test_without_a_server_the_alert_is_written_to_the_alerts_folder(landing: Landing, tmp_path: Path,
                                                                    dagster_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TRUSTCARD_SMTP_HOST", raising=False)
    monkeypatch.setenv("TRUSTCARD_MAIL_ENGINEERS", "oncall@data.test")
    result = failed_run(landing, tmp_path / "t.duckdb")
    with DagsterInstance.get() as instance:
        evaluate_failure_sensor(instance, result.run_id, tmp_path / "reports")
    [eml] = list((tmp_path / "reports" / "alerts").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "oncall@data.test" and "failed" in message["Subject"]


def test_a_dead_mail_server_fails_the_sensor_tick_loudly(landing: Landing, tmp_path: Path, dagster_home: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    for name, value in {"TRUSTCARD_SMTP_HOST": "127.0.0.1", "TRUSTCARD_SMTP_PORT": str(dead),
                        "TRUSTCARD_SMTP_SECURITY": "none", "TRUSTCARD_MAIL_ENGINEERS": "oncall@data.test"}.items():
        monkeypatch.setenv(name, value)
    result = failed_run(landing, tmp_path / "t.duckdb")
    with DagsterInstance.get() as instance, pytest.raises(Exception, match="Connection refused"):
        evaluate_failure_sensor(instance, result.run_id, tmp_path / "reports")
