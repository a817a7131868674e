"""Run the monthly job for a range of months on a real Dagster instance, and say what happened.

Used by the `trustcard` command. Definitions are imported lazily: the partitions read
TRUSTCARD_FIRST_MONTH when they are built, so the caller sets the environment first.
"""
from __future__ import annotations

import os
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .lib.months import add_months, last_complete_month, month_key, parse_month
from .lib.tags import DATABASE_TAG, PROCESS_TAG, RANGE_END_TAG, RANGE_START_TAG, REASON_TAG, TRIGGER_TAG
from .lib.brief_logger import brief_console_logger
from .lib.interrupts import interrupt_received, watching_for_interrupts
from .lib.run_errors import is_deliberate, root_message
from .lib.settings import REPO_ROOT, Settings, as_of_from_env, duckdb_memory_limit_from_env, first_month_from_env
from .lib.writer_lock import lock_path, whole_run_holder, writer_lock



class RunError(Exception):
    """A run that could not start or did not succeed; the message is for the user. `outcome`: what
    a run that started did before it failed (the steps that succeeded), else None."""

    def __init__(self, message: str, outcome: "RunOutcome | None" = None, exit_code: int = 1):
        super().__init__(message)
        self.outcome = outcome
        self.exit_code = exit_code  # 128 + the signal's number when interrupted (130 Ctrl-C, 143 SIGTERM)


@dataclass
class RunOutcome:
    run_id: str
    first: date
    last: date
    steps: list[tuple[str, str, dict]] = field(default_factory=list)  # (asset, status, metadata)
    # the months the database held scores for when the run ended, read while it still held the
    # database (a run waiting for it would open it for writing at once): for the out-of-date note
    months_scored: list[date] = field(default_factory=list)
    # the scored months out of date after it (scores_out_of_date): changed rows reach them
    months_out_of_date: list[date] = field(default_factory=list)


def last_scorable_month() -> date:
    """The last complete month, and complete by the as-of date too: with TRUSTCARD_AS_OF pinned in
    the past, the default month is the last one complete by then (review: a run without --months
    took today's last month and then refused it as not complete by the as-of date)."""
    try:
        as_of = as_of_from_env()
    except ValueError as exc:
        raise RunError(str(exc)) from exc
    return min(last_complete_month(), last_complete_month(as_of + timedelta(days=1)))


def parse_months(spec: str | None) -> tuple[date, date]:
    """'2025-11..2026-10', '2026-10', '2006-01..' (to the last complete month), or None (the last
    complete month); 'complete' by the as-of date as well (last_scorable_month)."""
    if spec is not None and not spec.strip():
        raise RunError("--months is empty; give a month (2026-10) or a range (2025-11..2026-10), or leave it out "
                       "for the last complete month")
    if not spec:
        last = last_scorable_month()
        return last, last
    first_text, dots, last_text = spec.partition("..")
    try:
        first = parse_month(first_text)
        last = parse_month(last_text) if last_text else last_scorable_month() if dots else first
    except ValueError as exc:
        raise RunError(f"--months {spec}: {exc}") from exc
    if last < first and dots and not last_text:
        raise RunError(f"--months {spec}: {first:%Y-%m} is after the last complete month, {last:%Y-%m}")
    if last < first:
        raise RunError(f"--months {spec}: the range ends before it starts")
    return first, last


def check_range(first: date, last: date) -> None:
    start = parse_month(first_month_from_env())
    if first < start:
        raise RunError(
            f"{first:%Y-%m} is before TRUSTCARD_FIRST_MONTH={start:%Y-%m}; set TRUSTCARD_FIRST_MONTH earlier to score it"
        )
    if last > last_complete_month():
        raise RunError(f"{last:%Y-%m} is not a complete month yet; the last complete month is {last_complete_month():%Y-%m}")
    as_of = as_of_from_env()
    try:  # read by every step's connection: refused there, each step would wait out its retries first
        duckdb_memory_limit_from_env()
    except ValueError as exc:
        raise RunError(str(exc)) from exc
    complete_by = last_complete_month(as_of + timedelta(days=1))  # its last day on or before as_of
    if last > complete_by:
        # Facts after the as-of date are rejected as in the future: such a month would be scored
        # on whatever happened to be dated before it, and look like a quiet month.
        raise RunError(f"{last:%Y-%m} is not complete by the as-of date {as_of} (TRUSTCARD_AS_OF); "
                       f"the last month complete by then is {complete_by:%Y-%m}")


def ensure_dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / "data" / "dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((REPO_ROOT / "dagster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return home


def run_months(first: date, last: date, reports: bool = True) -> RunOutcome:
    """Materialise every asset (or every table, reports=False) for months first..last as one
    Dagster run (single-run backfill)."""
    check_range(first, last)
    _check_landing_folder(Settings.from_env().landing_dir)
    _check_database_path(Settings.from_env().db_path)
    _check_trust_model()
    if reports:
        _check_reports_dir(Settings.from_env().reports_dir, first, last)
    ensure_dagster_home()
    from dagster import DagsterInstance

    from .definitions import MONTHLY_JOB, TABLES_JOB, defs

    job = defs.resolve_job_def(MONTHLY_JOB if reports else TABLES_JOB)
    trace = os.environ.get("TRUSTCARD_TRACE", "") not in ("", "0")
    if not trace:  # one line per warning, the failure's cause once at the end (lib/brief_logger.py)
        job = job.with_logger_defs({"console": brief_console_logger})
    # The whole run holds the database: a second run started meanwhile waits, then runs.
    holder = whole_run_holder(first, last)
    database = str(Settings.from_env().db_path.resolve())
    with writer_lock(Settings.from_env().db_path, holder=holder, on_wait=_tell), DagsterInstance.get() as instance, \
            watching_for_interrupts():
        _fail_runs_left_unfinished(instance, database)
        result = job.execute_in_process(
            instance=instance,
            tags={RANGE_START_TAG: month_key(first), RANGE_END_TAG: month_key(last), TRIGGER_TAG: "cli",
                  REASON_TAG: f"trustcard run --months {first:%Y-%m}..{last:%Y-%m}",
                  DATABASE_TAG: database, PROCESS_TAG: _this_process()},
            # A run config naming no logger gets Dagster's default console at DEBUG, not the job's.
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}} if trace else {}}},
            raise_on_error=False,
        )
        scored, stale = months_scored(), months_out_of_date()
        interrupted = interrupt_received()
    outcome = RunOutcome(result.run_id, first, last, months_scored=scored, months_out_of_date=stale)
    failure, deliberate = None, False  # no step failed: the run itself did, a fault
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            meta = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
            name = mat.asset_key.to_user_string()
            if not any(s[0] == name for s in outcome.steps):
                outcome.steps.append((name, "ok", meta))
        elif event.event_type_value == "STEP_FAILURE" and failure is None:
            error = event.event_specific_data.error
            failure, deliberate = f"{event.step_key}: {root_message(error)}", is_deliberate(error)
    if interrupted and not result.success:
        # Said as an interruption, not as the step's error: DagsterExecutionInterruptedError,
        # RunInterrupted or DuckDB's "Query interrupted", whichever met the signal first.
        # The step it stopped is not named: the first failure Dagster records may be the step after
        # it (seen under load), and the list of what was written says where it stopped.
        raise RunError(f"interrupted by {interrupted}: run {result.run_id[:8]} stopped" + _written_before(outcome), outcome,
                       exit_code=128 + signal.Signals[interrupted].value)
    if not result.success:
        raise RunError(f"run {result.run_id[:8]} failed at {failure or 'an unknown step'}"
                       + ("" if trace or deliberate else " (TRUSTCARD_TRACE=1 prints the trace)")
                       + _written_before(outcome), outcome)
    return outcome


def _written_before(outcome: RunOutcome) -> str:
    """What a failed run wrote before it stopped: its steps are separate tables, so a feed staged
    and validated before another feed's blocking file stays written (review: the message said only
    where it failed, and the database held new complaints beside the old scores)."""
    written = [name for name, _, _ in outcome.steps]
    if not written:
        return "; nothing was written"
    scores = "" if "scorecard" in written else "; the scores were not rebuilt and stay as before until a run succeeds"
    return f"; written before it stopped: {', '.join(written)}{scores}"


def _check_landing_folder(landing: Path) -> None:
    """Refuse, in one line and before a Dagster run is started, a landing folder whose files
    cannot all be listed (missing folder or vendors.csv, a misnamed feed folder, a file type other
    than CSV or Parquet): the same errors, raised inside the run, came under pages of trace."""
    from .defs.ingest.feeds import ALL_FEEDS
    from .defs.ingest.landing import LandingError, landing_files

    for feed in ALL_FEEDS:
        try:
            landing_files(landing, feed)
        except LandingError as exc:
            raise RunError(f"landing folder {landing}: {exc}") from exc


def _check_database_path(db: Path) -> None:
    """TRUSTCARD_DB named in the message when its file or folder cannot be (a folder where the
    file should be, a file where a folder should be, no permission), not a bare OS error."""
    if db.is_dir():
        raise RunError(f"TRUSTCARD_DB={db} is a folder; name the database file (e.g. {db / 'trustcard.duckdb'})")
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunError(f"TRUSTCARD_DB={db}: its folder cannot be made ({exc.strerror}: {exc.filename})") from exc
    # Its lock file and spool are made beside it, and DuckDB writes the file: a read-only folder
    # or file failed with a bare errno, or after a minute of retries (review).
    if not os.access(db.parent, os.W_OK | os.X_OK):
        raise RunError(f"TRUSTCARD_DB={db}: its folder cannot be written (no permission); the database, "
                       "its lock file and its spool go there")
    if db.exists() and not os.access(db, os.R_OK | os.W_OK):
        raise RunError(f"TRUSTCARD_DB={db}: the database file cannot be written (no permission)")
    # os.access says yes to root everywhere; a folder of /sys or /proc still refuses files (review:
    # a bare "[Errno 13] Permission denied: '/sys/t.duckdb.lock'"). The lock file is made here.
    try:
        os.close(os.open(lock_path(db.resolve()), os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        raise RunError(f"TRUSTCARD_DB={db}: its folder cannot be written ({exc.strerror}: {exc.filename}); the "
                       "database, its lock file and its spool go there") from exc


def _check_reports_dir(reports: Path, first: date, last: date) -> None:
    """TRUSTCARD_REPORTS_DIR named before any table is written when PDFs cannot go there (a file
    where the folder should be, no permission), not a bare OS error after every table was. A file
    is made and removed there, since permission bits do not tell (root passes every check that a
    read-only or virtual file system still refuses), and each month's folder must be one
    (review: a file named 2026-10 there failed the report step after a minute of retries)."""
    try:
        reports.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=reports, prefix=".trustcard-probe-"):
            pass
    except OSError as exc:
        raise RunError(f"TRUSTCARD_REPORTS_DIR={reports}: the PDFs cannot be written there "
                       f"({exc.strerror}: {exc.filename})") from exc
    month = first
    while month <= last:
        folder = reports / f"{month:%Y-%m}"
        if folder.exists() and not folder.is_dir():
            raise RunError(f"TRUSTCARD_REPORTS_DIR={reports}: {folder.name} is a file where the PDFs of "
                           f"{month:%Y-%m} go in a folder of that name; move it")
        month = add_months(month, 1)


def _check_trust_model() -> None:
    """A trust model file with a typo is named before the run, not after every table but the scorecard."""
    from .defs.scorecard.model import load_model

    try:
        load_model()
    except ValueError as exc:
        raise RunError(str(exc)) from exc


def _fail_runs_left_unfinished(instance, database: str) -> None:
    """A run this command starts holds the database's writer lock for its whole life, so while we
    hold it, a run of ours on this database still marked as started is one whose process died
    (killed, out of memory). Left so, it keeps its slot in the instance's `duckdb` pool
    (dagster.yaml) and every later run would wait for that slot forever: mark it failed and free
    its slots. A run on another database (the instance is shared), or whose process is still
    alive, is not ours to judge; a run of an older trustcard names neither and is judged as before."""
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
    for run in instance.get_runs(filters=RunsFilter(statuses=statuses, tags={TRIGGER_TAG: "cli"})):
        if run.tags.get(DATABASE_TAG, database) != database or _alive(run.tags.get(PROCESS_TAG)):
            continue
        instance.report_run_failed(run, "the process running it ended before it finished (killed?); "
                                        "marked failed by the next trustcard run")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        _tell(f"run {run.run_id[:8]} ({run.tags.get(REASON_TAG, 'a trustcard run')}) was left unfinished by a "
              "process that ended; marked failed and its place in the queue freed")


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(process: str | None) -> bool:
    """Whether a run's process (host:pid) is running on this host; unknown or elsewhere: not known alive."""
    host, _, pid = (process or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return int(pid) != os.getpid()


def months_scored() -> list[date]:
    """The months the database holds scores for, from TRUSTCARD_FIRST_MONTH on (the months a
    run can score again). Read from the database, not the Dagster instance: one instance
    (DAGSTER_HOME) may have run against other databases."""
    return _months("SELECT DISTINCT month FROM scorecard WHERE month >= ? ORDER BY month")


def months_out_of_date() -> list[date]:
    """The scored months (from TRUSTCARD_FIRST_MONTH on) that validated rows changed since were
    scored from: the validation steps record them, a scorecard step clears the months it writes."""
    return _months("SELECT month FROM scores_out_of_date WHERE month >= ? ORDER BY month")


def recorded_first_month() -> str | None:
    """The TRUSTCARD_FIRST_MONTH the database's scores were last made with (build_log's
    'scoring_basis'), if it records one and can be read now."""
    import json

    import duckdb

    settings = Settings.from_env()
    if not settings.db_path.exists():
        return None

    def read() -> list:
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            return con.execute("SELECT detail FROM build_log WHERE step = 'scoring_basis'").fetchall()

    try:
        row = read()
    except duckdb.CatalogException:  # no build_log yet: nothing recorded to follow
        return None
    except duckdb.IOException:
        # Held by a writer (another run): wait for it, as this run will, then read. Reading nothing
        # scored trust from the default month, recorded it, and moved later runs too (review).
        with writer_lock(settings.db_path, holder="trustcard run (reading the month its scores begin)", on_wait=_tell):
            try:
                row = read()
            except duckdb.CatalogException:
                return None
            except duckdb.IOException as exc:
                raise RunError(f"the database cannot be read to find the month its scores begin ({str(exc).splitlines()[0]}); "
                               "set TRUSTCARD_FIRST_MONTH=YYYY-MM, or run again when it is free") from exc
    return json.loads(row[0][0]).get("first_month") if row else None


def _months(sql: str) -> list[date]:
    import duckdb

    settings = Settings.from_env()
    if not settings.db_path.exists():
        return []
    try:
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            months = con.execute(sql, [parse_month(settings.first_month)]).fetchall()
    except duckdb.Error:  # no table yet (or held by a process outside trustcard): nothing to name
        return []
    return [m for (m,) in months]


def _tell(message: str) -> None:
    print(f"trustcard: {message}", file=sys.stderr, flush=True)
