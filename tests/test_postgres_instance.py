"""The production instance (deploy/postgres/dagster.yaml) on a real PostgreSQL server.

The test starts its own server from the Debian binaries (`make test-deps` installs them): initdb in
a temporary folder, a free loopback port, a unix socket in the same folder, password login over
TCP. A month then runs through the project's job on that instance, and Postgres itself is asked
where the run, its materialisations and the schedule's state went. PostgreSQL refuses to run as
root: as root, the server runs as the `postgres` system user.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import query, run_months

ROOT = Path(__file__).resolve().parents[1]
INSTANCE_YAML = ROOT / "deploy" / "postgres" / "dagster.yaml"
PG_USER, PG_PASSWORD, PG_DB = "trustcard", "s3cret pass", "dagster"
NO_SQLITE = ["history", "schedules", "storage/index.db"]  # where a local instance would write


def _server_bin() -> Path | None:
    """The newest PostgreSQL server binaries: Debian's /usr/lib/postgresql/N/bin, else PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    for folder in reversed(candidates):
        if all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        folder = Path(os.path.realpath(pg_ctl)).parent
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One throwaway cluster: started by start(), removed by stop()."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.as_postgres = os.geteuid() == 0
        # A folder of its own under /tmp, traversable by the server's user (pytest's tmp_path is 0700).
        self.root = Path(tempfile.mkdtemp(prefix="trustcard-pg-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.data, self.sockets = self.root / "data", self.root / "sockets"
        self.log = self.root / "server.log"
        self.sockets.mkdir()
        self.port = _free_port()
        self.started = False

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin_dir / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def _check(self, step: str, done: subprocess.CompletedProcess) -> None:
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL {step} failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}\n{log}")

    def start(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(PG_PASSWORD + "\n")
        if self.as_postgres:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, self.sockets, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        # Local (socket) logins are trusted, TCP logins need the password, as in production.
        self._check("initdb", self._run(
            "initdb", "-D", str(self.data), "-U", PG_USER, f"--pwfile={pwfile}", "--auth-local=trust",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"))
        pwfile.unlink()
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._check("start", self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                                       "-w", "-t", "60", "start"))
        self.started = True

    def connect(self, dbname: str):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user=PG_USER, password=PG_PASSWORD,
                                dbname=dbname, connect_timeout=10)

    def create_database(self, name: str) -> None:
        con = self.connect("postgres")
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            con.close()

    def stop(self) -> None:
        try:
            if self.started:
                done = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
                if done.returncode != 0:
                    self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = _server_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin "
                    "or on PATH: run `make test-deps` (apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server as "
                        "(Debian's postgresql package creates it)")
    server = PostgresServer(bin_dir)
    try:
        server.start()
        server.create_database(PG_DB)
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_home(postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DAGSTER_HOME holding the production dagster.yaml, with the connection in DAGSTER_PG_*."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(INSTANCE_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name, value in {"HOST": "127.0.0.1", "PORT": str(postgres.port), "USER": PG_USER,
                        "PASSWORD": PG_PASSWORD, "DB": PG_DB}.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    return home


def pg_rows(postgres: PostgresServer, sql: str, params: tuple = ()) -> list[tuple]:
    con = postgres.connect(PG_DB)
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def test_production_instance_config_loads(pg_home: Path):
    from dagster import DagsterInstance
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    with DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        assert concurrency.pool_config.pool_granularity.value == "op"
        assert concurrency.run_queue_config.tag_concurrency_limits == [
            {"key": "trustcard/writer", "value": "duckdb", "limit": 1}]
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert not instance.telemetry_enabled


def test_a_month_runs_on_postgres_and_everything_lands_there(postgres: PostgresServer, pg_home: Path,
                                                             landing, db_path: Path):
    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    from pipelines.definitions import MONTHLY_JOB, TABLES_JOB

    landing.vendors([["V1", "Acme", "packaging", "false", ""], ["V2", "Idle Co", "packaging", "", ""]])
    landing.deliveries([["D1", "V1", "2026-09-10", "2026-09-09", "10", "", "", ""]])
    result = run_months(landing.root, db_path, date(2026, 9, 1))
    assert result.success
    assert query(db_path, "SELECT vendor_id, deliveries_due FROM scorecard ORDER BY vendor_id") == [
        ("V1", 1), ("V2", 0)]

    # The run and its events are rows in Postgres ...
    run_row = pg_rows(postgres, "SELECT status, pipeline_name FROM runs WHERE run_id = %s", (result.run_id,))
    assert run_row == [("SUCCESS", TABLES_JOB)]
    materialized = pg_rows(postgres, "SELECT DISTINCT asset_key FROM event_logs WHERE run_id = %s "
                                     "AND dagster_event_type = 'ASSET_MATERIALIZATION'", (result.run_id,))
    assert len(materialized) >= 5 and any("scorecard" in key for (key,) in materialized)
    assert pg_rows(postgres, "SELECT count(*) FROM asset_keys")[0][0] >= len(materialized)
    tags = dict(pg_rows(postgres, "SELECT key, value FROM run_tags WHERE run_id = %s", (result.run_id,)))
    assert tags["dagster/asset_partition_range_start"] == "2026-09-01"
    assert tags["dagster/asset_partition_range_end"] == "2026-09-01"

    with DagsterInstance.get() as instance:
        # ... and the instance reads them back from there.
        runs = instance.get_runs()
        assert [r.run_id for r in runs] == [result.run_id]
        assert runs[0].status == DagsterRunStatus.SUCCESS

        # Schedule state (what `dagster-daemon` reads) goes to Postgres too: turn the monthly schedule
        # off and on as the UI's toggle does (stop first: a schedule running by default stores nothing
        # until it is toggled or ticks).
        origin = InProcessCodeLocationOrigin(
            LoadableTargetOrigin(module_name="pipelines.definitions", attribute="defs",
                                 working_directory=str(ROOT)),
            location_name="trustcard")
        with origin.create_location(instance) as location:
            (repository,) = location.get_repositories().values()
            schedule = next(s for s in repository.get_schedules() if s.job_name == MONTHLY_JOB)
            instance.stop_schedule(schedule.get_remote_origin_id(), schedule.selector_id, schedule)
            instance.start_schedule(schedule)
            state = instance.get_instigator_state(schedule.get_remote_origin_id(), schedule.selector_id)
            assert state is not None and state.is_running
    stored = pg_rows(postgres, "SELECT instigator_type, status, instigator_body FROM instigators "
                               "WHERE instigator_type = 'SCHEDULE'")
    assert [(kind, status) for kind, status, _ in stored] == [("SCHEDULE", "RUNNING")]
    assert f'"{schedule.name}"' in stored[0][2]

    # Nothing fell back to the local SQLite storage under DAGSTER_HOME.
    assert not [p for p in NO_SQLITE if (pg_home / p).exists()]
    assert not list(pg_home.rglob("*.db"))
