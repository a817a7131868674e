"""Two runs at once, and a run killed mid-write, against one real DuckDB file.

The runs are real `trustcard run` processes: DuckDB's lock is per process, so threads would
prove nothing.
"""
from __future__ import annotations

import os
from datetime import date
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Landing, make_dagster_home, query, run_months
from test_automation import table_digests, two_years

BACKFILL = "2026-05..2026-10"


def cli_env(landing: Path, db: Path, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTCARD_")}
    return env | {
        "TRUSTCARD_LANDING_DIR": str(landing), "TRUSTCARD_DB": str(db),
        "TRUSTCARD_REPORTS_DIR": str(db.parent / "reports"), "TRUSTCARD_FIRST_MONTH": "2006-01",
        "TRUSTCARD_AS_OF": "2026-11-26", "DAGSTER_HOME": str(home), **extra,
    }


def start_run(months: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--months", months, "--no-reports"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_ok(months: str, env: dict[str, str]) -> str:
    """`trustcard run` to its end: its standard output, after checking that it succeeded."""
    process = start_run(months, env)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return out


def test_two_runs_started_together_both_succeed_one_after_the_other(landing: Landing, tmp_path: Path):
    two_years(landing)
    db, home = tmp_path / "c.duckdb", make_dagster_home(tmp_path / "home")
    env = cli_env(landing.root, db, home)
    backfill = start_run(BACKFILL, env)                          # a manual backfill...
    scheduled = start_run("2026-09..2026-10", env)              # ...and the schedule's run, at once
    outputs = [p.communicate(timeout=600) for p in (backfill, scheduled)]
    for process, (out, err) in zip((backfill, scheduled), outputs):
        assert process.returncode == 0, err
        assert "Could not set lock" not in err
    # Serialised: one of them waited for the other, and said for whom.
    waits = [err for _, err in outputs if "waiting for the database" in err]
    assert len(waits) == 1 and "trustcard run" in waits[0]
    assert query(db, "SELECT count(DISTINCT month), count(*) FROM scorecard") == [(6, 18)]

    # The result is what one run alone gives.
    alone = tmp_path / "alone.duckdb"
    assert run_months(landing.root, alone, date(2026, 5, 1), date(2026, 10, 1), dagster_home=tmp_path / "h2").success
    assert table_digests(db) | {"quarantine": ""} == table_digests(alone) | {"quarantine": ""}


def kill_during_write(months: str, env: dict[str, str], table: str, marker: Path) -> None:
    """Run `months`, and SIGKILL the run while it writes `table`, before that write commits."""
    victim = start_run(months, env | {"TRUSTCARD_TEST_HOLD_COMMIT": table, "TRUSTCARD_TEST_HOLD_MARKER": str(marker)})
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert victim.poll() is None, victim.communicate()[1]
        assert time.monotonic() < deadline, "the run never reached the write"
        time.sleep(0.2)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    marker.unlink()


def test_a_run_killed_during_a_write_leaves_the_previous_state(landing: Landing, tmp_path: Path):
    two_years(landing)
    # An empty DAGSTER_HOME: the command copies the project's dagster.yaml into it, with its
    # `duckdb` pool of one slot, which a killed run kept claimed (later runs then waited forever).
    db, home = tmp_path / "k.duckdb", tmp_path / "home"
    home.mkdir()
    months, env = "2026-09..2026-10", cli_env(landing.root, db, home)
    assert start_run(months, env).wait(timeout=600) == 0
    before = table_digests(db)

    # New data arrives; a rerun is killed while it writes the validated deliveries...
    landing.deliveries([["D-new", "V1", "2026-10-20", "2026-10-30", "5", "5", "0", ""]], name="late.csv")
    kill_during_write(months, env, "deliveries", tmp_path / "holding")
    after = table_digests(db)
    assert after["deliveries"] == before["deliveries"], "deliveries changed although the write never committed"
    assert after["scorecard"] == before["scorecard"]

    # ...and the next one while it writes the scorecard: the validated rows are new, the scores old.
    kill_during_write(months, env, "scorecard", tmp_path / "holding")
    after = table_digests(db)
    assert after["deliveries"] != before["deliveries"]
    assert after["scorecard"] == before["scorecard"], "scorecard changed although the write never committed"

    # The killed runs hold nothing: the next run takes the lock at once, marks them failed (freeing
    # their pool slots), and finishes the job.
    assert (home / "dagster.yaml").read_text() == (Path(__file__).parents[1] / "dagster.yaml").read_text()
    rerun = start_run(months, env)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert "waiting for the database" not in err
    # (The second killed run had already freed the first one's slot as it started: without that it
    # would have waited for the slot and never reached its write.)
    assert err.count("was left unfinished by a process that ended") == 1, err
    assert query(db, "SELECT deliveries_due FROM scorecard WHERE vendor_id = 'V1' AND month = '2026-10-01'") == [(2,)]


def test_a_run_sent_sigterm_stops_rolls_back_its_write_and_says_so(landing: Landing, tmp_path: Path):
    # Review: `trustcard run` sent SIGTERM (timeout, systemd, docker) or Ctrl-C ran on to its end
    # and exited 0 when the signal reached it inside a DuckDB query.
    two_years(landing)
    db, home = tmp_path / "t.duckdb", make_dagster_home(tmp_path / "home")
    months, env = "2026-09..2026-10", cli_env(landing.root, db, home)
    assert start_run(months, env).wait(timeout=600) == 0
    before = table_digests(db)
    landing.deliveries([["D-new", "V1", "2026-10-20", "2026-10-30", "5", "5", "0", ""]], name="late.csv")
    marker = tmp_path / "holding"
    victim = start_run(months, env | {"TRUSTCARD_TEST_HOLD_COMMIT": "deliveries", "TRUSTCARD_TEST_HOLD_MARKER": str(marker)})
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert victim.poll() is None, victim.communicate()[1]
        assert time.monotonic() < deadline, "the run never reached the write"
        time.sleep(0.2)
    victim.send_signal(signal.SIGTERM)
    out, err = victim.communicate(timeout=120)  # the hold sleeps 120 s: it must not be waited out
    assert victim.returncode == 128 + signal.SIGTERM, err
    assert "trustcard: interrupted by SIGTERM: run " in err and " stopped; written before it stopped: " in err
    written = err.split("written before it stopped:")[1].split(";")[0].split(", ")
    assert "deliveries" not in [w.strip() for w in written] and "scorecard" not in err.split(";")[1]
    after = table_digests(db)
    assert after["deliveries"] == before["deliveries"] and after["scorecard"] == before["scorecard"]
    # Review: the jobs' retry policy retried the interrupted steps (5, 10, 20 s apart): a Ctrl-C
    # took about a minute to stop a run, longer than docker waits before SIGKILL.
    assert _step_retries(home, err.split("run ")[1].split()[0]) == []
    assert start_run(months, env).wait(timeout=600) == 0  # the next run finishes the job


def _step_retries(home: Path, run_prefix: str) -> list[str]:
    """The steps the run (named by its id's first characters) put up for retry, from its event log."""
    code = ("import sys; from dagster import DagsterEventType, DagsterInstance\n"
            "i = DagsterInstance.get()\n"
            "run = next(r for r in i.get_runs() if r.run_id.startswith(sys.argv[1]))\n"
            "print('\\n'.join(e.step_key for e in i.all_logs(run.run_id, of_type=DagsterEventType.STEP_UP_FOR_RETRY)))")
    done = subprocess.run([sys.executable, "-c", code, run_prefix], capture_output=True, text=True,
                          env=os.environ | {"DAGSTER_HOME": str(home)}, check=True)
    return done.stdout.split()


LOCK_HOLDER = """
import os, sys, time
from pathlib import Path
from pipelines.lib.writer_lock import lock_path, writer_lock

lock = str(lock_path(Path(sys.argv[1]).resolve()))
fds = f"/proc/{os.getppid()}/fd"


def parent_waits() -> bool:
    for fd in os.listdir(fds):
        try:
            if os.readlink(os.path.join(fds, fd)) == lock:
                return True
        except OSError:  # closed meanwhile
            pass
    return False


with writer_lock(sys.argv[1], "a slow report"):
    print("held", flush=True)
    deadline = time.monotonic() + 120
    while not parent_waits() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2)
"""


def test_a_step_that_cannot_get_the_database_is_retried_with_backoff(landing: Landing, tmp_path: Path,
                                                                    dagster_home: Path, monkeypatch: pytest.MonkeyPatch):
    from dagster import DagsterEventType

    two_years(landing)
    db = tmp_path / "r.duckdb"
    # The holder keeps the lock until this process has the lock file open (its first step is
    # waiting), then 2 s more, past the step's 1 s timeout: the first attempt fails however long
    # the run takes to reach it (a fixed hold raced a slow machine), and a retry succeeds.
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    monkeypatch.setenv("TRUSTCARD_LOCK_TIMEOUT_S", "1")  # give up after 1 s; the retry comes 0-10 s later
    result = run_months(landing.root, db, date(2026, 10, 1), raise_on_error=False)
    holder.wait(timeout=30)
    assert result.success
    kinds = [e.event_type for e in result.all_events]
    assert DagsterEventType.STEP_UP_FOR_RETRY in kinds and DagsterEventType.STEP_RESTARTED in kinds
    retry = next(e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY)
    assert "still being written by pid" in str(retry.event_specific_data.error.message) + str(
        retry.event_specific_data.error.cause)
    assert query(db, "SELECT count(*) FROM scorecard") == [(3,)]


def test_a_month_rerun_by_hand_after_late_data_names_the_later_months_to_rerun(landing: Landing, tmp_path: Path):
    # Trust remembers the months before it: rerunning March alone after a late March file leaves
    # April..October as they were (the late-data sensor reruns them; a rerun by hand does not), and
    # the command says which months and how. A plain rerun of March, nothing changed, says nothing.
    two_years(landing)
    db, home = tmp_path / "n.duckdb", make_dagster_home(tmp_path / "home")
    env = cli_env(landing.root, db, home)
    run_ok("2026-03..2026-10", env)
    out = run_ok("2026-03", env)
    assert "note:" not in out
    landing.deliveries([["D-late-1", "V1", "2026-03-20", "", "5", "", "", ""]], name="late-march.csv")
    out = run_ok("2026-03", env)
    assert ("note: this run changed the rows of 2026-03; months scored before from the old rows are out of date: "
            "2026-04..2026-10 (a month's trust remembers the months before it). "
            "Rerun them: trustcard run --months 2026-04..2026-10") in out
    # Review: the note was said once; the next run, reusing the validation, said nothing, and the
    # months stayed out of date with nothing to tell (a cron log lost, a run from the UI).
    out = run_ok("2026-03", env)
    assert ("note: an earlier run changed validated rows or how scores are made; months scored before from the old "
            "rows or the old way are out of date: 2026-04..2026-10") in out and "--months 2026-04..2026-10" in out
    out = run_ok("2026-01", env)  # a run before them names them alone, not the months between
    assert "out of date: 2026-04..2026-10" in out and out.rstrip().endswith("--months 2026-04..2026-10")
    out = run_ok("2026-06..2026-07", env)
    assert "out of date: 2026-04..2026-05, 2026-08..2026-10" in out and "--months 2026-04..2026-10" in out
    run_ok("2026-04..2026-10", env)
    assert query(db, "SELECT count(*) FROM scores_out_of_date") == [(0,)]
    assert "note:" not in run_ok("2026-03", env)


def test_the_rerun_command_of_the_note_stops_at_the_last_month_complete_by_the_as_of_date(
        landing: Landing, tmp_path: Path):
    # Review: with TRUSTCARD_AS_OF moved back, the note named --months up to 2026-10, which the
    # next run refused as not complete by the as-of date.
    two_years(landing)
    db, home = tmp_path / "a.duckdb", make_dagster_home(tmp_path / "home")
    run_ok("2026-03..2026-10", cli_env(landing.root, db, home))
    landing.deliveries([["D-late-1", "V1", "2026-03-20", "", "5", "", "", ""]], name="late-march.csv")
    earlier = cli_env(landing.root, db, home, TRUSTCARD_AS_OF="2026-10-05")
    out = run_ok("2026-03", earlier)
    assert ("out of date: 2026-04..2026-10 (a month's trust remembers the months before it). Rerun them: "
            "trustcard run --months 2026-04..2026-09; the months after 2026-09 are not complete by "
            "TRUSTCARD_AS_OF=2026-10-05 and wait until it is moved on") in out
    out = run_ok("2026-04..2026-09", earlier)  # the command it named runs
    assert ("out of date: 2026-10 (a month's trust remembers the months before it). None of them is complete by "
            "TRUSTCARD_AS_OF=2026-10-05: they can be scored again once it is moved on") in out


def test_a_landing_file_renamed_puts_no_month_out_of_date(landing: Landing, tmp_path: Path):
    # Review: renaming a landing file (its rows unchanged) named 19 months out of date, since a
    # row's hash held the file it was read from. Where a row was read from changes no score.
    two_years(landing)
    db, home = tmp_path / "r.duckdb", make_dagster_home(tmp_path / "home")
    env = cli_env(landing.root, db, home)
    run_ok("2026-03..2026-10", env)
    scores = "SELECT * FROM scorecard ORDER BY ALL"
    before = query(db, scores)
    for feed, name in (("deliveries", "2024-2026.csv"), ("complaints", "complaints.csv"),
                       ("announcements", "announcements.csv")):
        (landing.root / feed / name).rename(landing.root / feed / f"renamed-{name}")
    out = run_ok("2026-03", env)
    assert "note:" not in out, out
    assert query(db, "SELECT count(*) FROM scores_out_of_date") == [(0,)]
    assert query(db, scores) == before
    # The rows now cite the new file, for the evidence
    assert query(db, "SELECT DISTINCT _source_file FROM deliveries") == [("deliveries/renamed-2024-2026.csv",)]
    # A change of what a row says still does: one delivery of March, one day later
    text = (landing.root / "deliveries" / "renamed-2024-2026.csv").read_text()
    (landing.root / "deliveries" / "renamed-2024-2026.csv").write_text(text.replace("2026-03-15", "2026-03-16", 1))
    assert "out of date: 2026-04..2026-10" in run_ok("2026-03", env)


def test_scores_made_from_another_first_month_are_followed_or_named_out_of_date(landing: Landing, tmp_path: Path):
    # Review: `make demo` scored from 24 months back (TRUSTCARD_FIRST_MONTH set for its own run); a
    # later `trustcard run` without it scored from the default 2024-01, and trust moved in 63
    # vendor-months with nothing marked out of date. Unset, the database's own first month is used;
    # set to another, the months not scored again are named out of date, with why.
    two_years(landing)
    db, home = tmp_path / "f.duckdb", make_dagster_home(tmp_path / "home")
    run_ok("2026-03..2026-10", cli_env(landing.root, db, home, TRUSTCARD_FIRST_MONTH="2026-01"))
    before = table_digests(db)
    march = "SELECT vendor_id, trust_score FROM scorecard WHERE month = DATE '2026-03-01' ORDER BY ALL"
    first_scored = query(db, march)
    unset = {k: v for k, v in cli_env(landing.root, db, home).items() if k != "TRUSTCARD_FIRST_MONTH"}
    out = run_ok("2026-10", unset)
    assert "TRUSTCARD_FIRST_MONTH is not set: 2026-01" in out and "note:" not in out
    assert table_digests(db) == before  # scored as before, byte for byte
    out = run_ok("2026-10", cli_env(landing.root, db, home, TRUSTCARD_FIRST_MONTH="2025-06"))
    assert ("note: this run scores another way: TRUSTCARD_FIRST_MONTH 2026-01 -> 2025-06; months scored before "
            "the old way are out of date: 2026-03..2026-09 (a month's trust remembers the months before it). "
            "Rerun them: trustcard run --months 2026-03..2026-09") in out
    assert query(db, "SELECT count(*) FROM scores_out_of_date") == [(7,)]
    out = run_ok("2026-03..2026-09", unset)  # now follows 2025-06, and nothing is left out of date
    assert "TRUSTCARD_FIRST_MONTH is not set: 2025-06" in out and "note:" not in out
    assert query(db, "SELECT count(*) FROM scores_out_of_date") == [(0,)]
    # Trust seeded in 2025-06 remembers the months before January: March's moved from the first scoring.
    assert query(db, march) != first_scored


def test_the_note_names_months_scored_in_this_database_not_by_another_on_the_same_instance(
        landing: Landing, tmp_path: Path):
    # Review: one Dagster instance (the default DAGSTER_HOME) ran against another database, and a
    # first run into a fresh one named that database's months as out of date, and told the user to
    # rerun months before TRUSTCARD_FIRST_MONTH.
    two_years(landing)
    home = make_dagster_home(tmp_path / "home")
    run_ok("2026-03..2026-10", cli_env(landing.root, tmp_path / "other.duckdb", home))
    out = run_ok("2026-10", cli_env(landing.root, tmp_path / "fresh.duckdb", home, TRUSTCARD_FIRST_MONTH="2026-09"))
    assert "scored 2026-10\n" in out and "note:" not in out
    # Trust remembers months from TRUSTCARD_FIRST_MONTH on: September, not the two years before it.
    moved = "SELECT count(*) FILTER (WHERE trust_change IS NOT NULL), count(*) FROM scorecard"
    assert query(tmp_path / "fresh.duckdb", moved) == [(3, 3)]
    run_ok("2026-10", cli_env(landing.root, tmp_path / "first.duckdb", home, TRUSTCARD_FIRST_MONTH="2026-10"))
    assert query(tmp_path / "first.duckdb", moved) == [(0, 3)]
    assert query(tmp_path / "first.duckdb", "SELECT count(*) FROM scorecard WHERE trust_score = month_score") == [(3,)]


def test_a_rerun_by_hand_names_every_month_scored_from_rows_it_changed(landing: Landing, tmp_path: Path):
    # Review: a late file whose key conflicts with a row of an earlier month quarantines that row
    # too, and an edit of the vendor list touches every month; the note named only the months after
    # the rerun. And a rerun on another day, validating again into the same rows, printed a note
    # for nothing changed and threw away the kept look-back of metrics.
    two_years(landing)
    # A fact dated after the as-of date (a typo for 2026), quarantined.
    landing.deliveries([["D-typo", "V1", "2026-04-10", "2062-04-12", "10", "10", "0", "100"]], name="typo.csv")
    db, home = tmp_path / "w.duckdb", make_dagster_home(tmp_path / "home")
    env = cli_env(landing.root, db, home)
    run_ok("2026-03..2026-10", env)
    lookback = query(db, "SELECT fingerprint FROM build_log WHERE step = 'lookback'")
    scores = query(db, "SELECT * FROM scorecard ORDER BY ALL")

    out = run_ok("2026-05", env | {"TRUSTCARD_AS_OF": "2026-11-27"})
    # No month holds a date between the two as-of dates (2062 is after both, rejected alike, for a
    # reason that does not quote the as-of date): nothing is judged again.
    assert "deliveries             rows_read=73, rows_valid=72" in out
    assert out.count("reused=False, validated=no month (no row changed)\n") == 3
    assert query(db, "SELECT reason FROM quarantine WHERE feed = 'deliveries'") == [
        ("date 2062-04-12 is after the run's as-of date (TRUSTCARD_AS_OF, default today)",)]
    assert "note:" not in out
    assert query(db, "SELECT fingerprint FROM build_log WHERE step = 'lookback'") == lookback
    assert query(db, "SELECT * FROM scorecard ORDER BY ALL") == scores

    # D-V1-202603 again, promised in May: both copies conflict, March's is quarantined too (May's
    # valid rows stay as they were).
    landing.deliveries([["D-V1-202603", "V1", "2026-05-12", "2026-05-12", "10", "10", "0", "100"]], name="late.csv")
    out = run_ok("2026-05", env)
    assert ("note: this run changed the rows of 2026-03; months scored before from the old rows are out "
            "of date: 2026-03..2026-04, 2026-06..2026-10 (a month's trust remembers the months before it). "
            "Rerun them: trustcard run --months 2026-03..2026-10") in out

    landing.vendors([["V1", "Acme", "tools", "", ""], ["V2", "Bolt", "parts", "", ""], ["V3", "Cog", "parts", "", ""]])
    out = run_ok("2026-10", env)
    assert ("note: this run changed the vendor list; months scored before from the old rows are out of date: "
            "2026-03..2026-09") in out and "--months 2026-03..2026-09" in out


def test_a_rerun_names_months_an_announcement_is_judged_in_before_it_falls_due(landing: Landing, tmp_path: Path):
    # Review: a late announcement due in 2027-03 but moved in 2026-04 is judged from April, and
    # the note named nothing; and a run that failed after validating printed no note at all, and
    # the next run, reusing that validation, could not either.
    two_years(landing)
    db, home = tmp_path / "j.duckdb", make_dagster_home(tmp_path / "home")
    env = cli_env(landing.root, db, home)
    run_ok("2026-01..2026-10", env)
    landing.announcements([["A9", "V1", "Gadget", "announced", "2026-02-01", "2027-03-15", ""],
                           ["A9", "V1", "", "revised", "2026-04-10", "2027-06-01", ""]], name="late.csv")
    # the month's vendor folder is a file: the run fails after the tables, at the vendor PDFs (a
    # reports or month folder that cannot be made is refused before the run)
    reports = tmp_path / "reports"
    (reports / "2026-10").mkdir(parents=True)
    (reports / "2026-10" / "vendors").write_text("")
    failed = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--months", "2026-10"], capture_output=True,
                            text=True, env=env | {"TRUSTCARD_REPORTS_DIR": str(reports)})
    assert failed.returncode == 1 and "failed at" in failed.stderr
    # named, at once: no retries of a path that cannot become a folder (review: a minute of them)
    assert f"{reports / '2026-10' / 'vendors'}: File exists: the report cannot be written there" in failed.stderr
    assert "retr" not in failed.stderr.lower()
    assert ("note: this run changed the rows of 2027-03 (announcements due then are judged from 2026-04, when they "
            "were first moved); months scored before from the old rows are out of date: 2026-04..2026-09") in failed.stdout
    assert "--months 2026-04..2026-10" in failed.stdout


def test_only_runs_of_this_database_whose_process_is_gone_are_marked_failed(tmp_path: Path):
    # Review: one DAGSTER_HOME served two databases (`make demo` and `make real` share it); a run on
    # the second marked the first's live run failed and freed its pool slots.
    import subprocess
    import sys
    import uuid

    from dagster import DagsterRunStatus, instance_for_test
    from dagster._core.storage.dagster_run import DagsterRun

    from pipelines.lib.tags import DATABASE_TAG, PROCESS_TAG, TRIGGER_TAG
    from pipelines.runner import _fail_runs_left_unfinished, _this_process

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = _this_process().rpartition(":")[0]
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with instance_for_test(temp_dir=str(tmp_path)) as instance:
            def started(**tags: str) -> str:
                run = DagsterRun(job_name="monthly", run_id=str(uuid.uuid4()), status=DagsterRunStatus.STARTED,
                                 tags={TRIGGER_TAG: "cli", **tags})
                instance.add_run(run)
                return run.run_id

            ours_dead = started(**{DATABASE_TAG: "/db/a.duckdb", PROCESS_TAG: f"{host}:{gone.stdout.strip()}"})
            ours_live = started(**{DATABASE_TAG: "/db/a.duckdb", PROCESS_TAG: f"{host}:{live.pid}"})
            other_db = started(**{DATABASE_TAG: "/db/b.duckdb", PROCESS_TAG: f"{host}:{gone.stdout.strip()}"})
            older = started()  # a run of a trustcard that set neither tag: judged as before
            _fail_runs_left_unfinished(instance, "/db/a.duckdb")
            status = {r: instance.get_run_by_id(r).status for r in (ours_dead, ours_live, other_db, older)}
    finally:
        live.kill()
        live.wait()
    assert status == {ours_dead: DagsterRunStatus.FAILURE, ours_live: DagsterRunStatus.STARTED,
                      other_db: DagsterRunStatus.STARTED, older: DagsterRunStatus.FAILURE}


def test_a_database_another_program_holds_open_is_named_with_what_to_do(tmp_path: Path):
    # Review: a DuckDB file a Python shell held open failed the run with DuckDB's own lock message
    # (the pid, no word of what to do).
    from dagster import Failure

    from pipelines.lib.duckdb_resource import open_database

    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Failure) as failed:
            open_database(db)
        message = str(failed.value)
        assert message.startswith(f"{db}: another program has the database open (")
        assert f"(PID {holder.pid})" in message and message.endswith("close its connection, or let it read a copy "
                                                                      "of the file, then rerun")
    finally:
        holder.kill()
        holder.wait()


DATABASE_HOLDER = """
import os, sys, time
from pathlib import Path
import duckdb
from pipelines.lib.writer_lock import lock_path, writer_lock

lock = str(lock_path(Path(sys.argv[1]).resolve()))


def another_waits() -> bool:
    for pid in (p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == lock:
                    return True
            except OSError:
                pass
    return False


with writer_lock(sys.argv[1], "a run writing"), duckdb.connect(sys.argv[1]):
    print("held", flush=True)
    deadline = time.monotonic() + 120
    while not another_waits() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1)
"""


def test_a_run_started_while_the_database_is_written_follows_its_first_month(landing: Landing, tmp_path: Path):
    # Review: unset, TRUSTCARD_FIRST_MONTH is read from the database; while another run held it
    # the read failed, the run scored trust from the default 2024-01, recorded that, and every
    # later run followed the wrong month ("trust changed in 3 of 41", nothing said).
    two_years(landing)
    db, home = tmp_path / "f.duckdb", make_dagster_home(tmp_path / "home")
    run_ok("2026-09..2026-10", cli_env(landing.root, db, home, TRUSTCARD_FIRST_MONTH="2026-01"))
    before = table_digests(db)
    holder = subprocess.Popen([sys.executable, "-c", DATABASE_HOLDER, str(db)], stdout=subprocess.PIPE, text=True,
                              env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert holder.stdout.readline().strip() == "held"
    unset = {k: v for k, v in cli_env(landing.root, db, home).items() if k != "TRUSTCARD_FIRST_MONTH"}
    process = start_run("2026-10", unset)
    out, err = process.communicate(timeout=600)
    holder.wait(timeout=60)
    assert process.returncode == 0, err
    assert "waiting for the database" in err and "TRUSTCARD_FIRST_MONTH is not set: 2026-01" in out, out + err
    assert "note:" not in out, out
    assert table_digests(db) == before  # scored as before, byte for byte


def test_moving_the_first_month_later_leaves_what_a_fresh_database_scored_from_it_holds(landing: Landing,
                                                                                         tmp_path: Path):
    # Review: scores of months before a later TRUSTCARD_FIRST_MONTH stayed, out of date for ever
    # (no run may score them), and the PDFs' trends and "grade B three months ago" read them.
    two_years(landing)
    db, home = tmp_path / "moved.duckdb", make_dagster_home(tmp_path / "home")
    run_ok("2026-03..2026-10", cli_env(landing.root, db, home, TRUSTCARD_FIRST_MONTH="2026-03"))
    out = run_ok("2026-06..2026-10", cli_env(landing.root, db, home, TRUSTCARD_FIRST_MONTH="2026-06"))
    assert "note:" not in out, out
    assert query(db, "SELECT min(month), count(DISTINCT month) FROM scorecard") == [(date(2026, 6, 1), 5)]
    assert query(db, "SELECT count(*) FROM scores_out_of_date") == [(0,)]
    fresh = tmp_path / "fresh.duckdb"
    run_ok("2026-06..2026-10", cli_env(landing.root, fresh, make_dagster_home(tmp_path / "home2"),
                                       TRUSTCARD_FIRST_MONTH="2026-06"))
    # Every table alike but the record of the suites' checks, which keeps the months checked before
    # (a record of what ran, as the build log is; the data-quality pages of those months read it).
    moved, scratch = table_digests(db), table_digests(fresh)
    moved.pop("expectation_results"), scratch.pop("expectation_results")
    assert moved == scratch


WHOLE_RUN_HOLDER = """
import sys, time
from pathlib import Path
from pipelines.lib.writer_lock import writer_lock

with writer_lock(sys.argv[1], "trustcard run 2026-10..2026-10"):
    print("held", flush=True)
    while not Path(sys.argv[2]).exists():
        time.sleep(0.05)
"""

SCHEDULED_RUN = """
import sys
from datetime import date
sys.path.insert(0, sys.argv[1])
from conftest import run_months
result = run_months(__import__("pathlib").Path(sys.argv[2]), __import__("pathlib").Path(sys.argv[3]),
                    date(2026, 10, 1), raise_on_error=False)
print("success" if result.success else "failed", flush=True)
"""


def test_a_step_of_another_run_gives_the_pool_slot_back_to_a_whole_trustcard_run(landing: Landing, tmp_path: Path):
    # Review: a run launched by Dagster (its step holding the `duckdb` pool's one slot, waiting for
    # the file) and `trustcard run` (holding the file for its whole run, its steps waiting for the
    # slot) stood still for good. The step now gives the slot back and tries again later.
    from dagster import DagsterEventType, DagsterInstance

    two_years(landing)
    db, home = tmp_path / "g.duckdb", tmp_path / "home"
    home.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "dagster.yaml", home / "dagster.yaml")  # the duckdb pool
    release = tmp_path / "release"
    env = os.environ | {"DAGSTER_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
                        "TRUSTCARD_FIRST_MONTH": "2026-01"}
    holder = subprocess.Popen([sys.executable, "-c", WHOLE_RUN_HOLDER, str(db), str(release)], stdout=subprocess.PIPE,
                              text=True, env=env)
    assert holder.stdout.readline().strip() == "held"
    scheduled = subprocess.Popen([sys.executable, "-c", SCHEDULED_RUN, str(Path(__file__).parent), str(landing.root),
                                  str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        with DagsterInstance.from_config(str(home)) as instance:
            deadline, gave_way = time.monotonic() + 120, []
            while not gave_way and time.monotonic() < deadline:
                time.sleep(0.5)
                runs = instance.get_runs()
                gave_way = [e for r in runs for e in instance.all_logs(r.run_id, of_type=DagsterEventType.STEP_UP_FOR_RETRY)]
            assert gave_way, "the step never gave way"
            # the slot is free while the step waits to try again (15 s): the command's steps can take
            # it. Dagster frees it just after the retry event is written: looked at for up to 10 s
            # (a fresh-clone CI run looked at once, a moment too early).
            deadline, held = time.monotonic() + 10, 1
            while time.monotonic() < deadline:
                held = instance.event_log_storage.get_concurrency_info("duckdb").active_slot_count
                if not held:
                    break
                time.sleep(0.2)
            assert held == 0
    finally:
        release.touch()
    out, err = scheduled.communicate(timeout=300)
    holder.wait(timeout=30)
    assert out.strip() == "success", err[-3000:]
    assert query(db, "SELECT count(*) FROM scorecard WHERE month = DATE '2026-10-01'") != [(0,)]
