"""The Dagster UI that `make dev` starts shows trustcard: a real webserver on loopback, asked
through its GraphQL API for the assets, checks, partitions, jobs, schedule and sensors."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import make_dagster_home

REPO = Path(__file__).resolve().parents[1]
QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    partitionDefinition { type description }
    backfillPolicy { policyType }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        name
        jobs { name }
        schedules { name cronSchedule executionTimezone scheduleState { status } }
        sensors { name sensorType sensorState { status } }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, query: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ui")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTCARD_")} | {
        "DAGSTER_HOME": str(make_dagster_home(root / "home")), "TRUSTCARD_FIRST_MONTH": "2024-01",
        "TRUSTCARD_LANDING_DIR": str(root / "landing"), "TRUSTCARD_DB": str(root / "t.duckdb"),
        "TRUSTCARD_REPORTS_DIR": str(root / "reports"),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-webserver")), "-w", "workspace.yaml", "-h", "127.0.0.1",
         "-p", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[1][-2000:]
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the webserver did not answer within 120 s"
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_ui_lists_assets_checks_and_partitions(webserver: str):
    data = post(f"{webserver}/graphql", QUERY)
    assert "errors" not in data, data
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["data"]["assetNodes"]}
    expected = {"staged_vendors", "staged_deliveries", "staged_complaints", "staged_announcements", "vendors",
                "deliveries", "complaints", "announcement_events", "delivery_metrics", "complaint_metrics",
                "announcement_metrics", "scorecard", "executive_report", "vendor_reports", "data_quality_report",
                "report_mail"}
    assert expected <= set(nodes)
    for name in expected:
        assert nodes[name]["partitionDefinition"]["type"] == "TIME_WINDOW", name
        assert nodes[name]["backfillPolicy"]["policyType"] == "SINGLE_RUN", name
    assert "Monthly" in nodes["scorecard"]["partitionDefinition"]["description"]
    checks = {c["name"]: c["blocking"] for c in nodes["deliveries"]["assetChecksOrError"]["checks"]}
    assert checks == {"rows_balance": True, "contract_suite": False}


def test_the_ui_lists_jobs_schedule_and_sensors(webserver: str):
    data = post(f"{webserver}/graphql", QUERY)
    [repo] = data["data"]["repositoriesOrError"]["nodes"]
    assert {"monthly_scorecard", "monthly_tables"} <= {j["name"] for j in repo["jobs"]}
    [schedule] = repo["schedules"]
    assert (schedule["name"], schedule["cronSchedule"], schedule["executionTimezone"]) == \
        ("monthly_scorecard_schedule", "0 6 3 * *", "UTC")
    assert schedule["scheduleState"]["status"] == "RUNNING"
    sensors = {s["name"]: s for s in repo["sensors"]}
    assert set(sensors) == {"late_landing_files", "run_failure_alert"}
    assert sensors["run_failure_alert"]["sensorType"] == "RUN_STATUS"
    assert all(s["sensorState"]["status"] == "RUNNING" for s in sensors.values())
