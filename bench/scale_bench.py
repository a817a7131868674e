"""Fast at scale, measured against the floor (issue 7): one command, side by side in one run.

    python bench/scale_bench.py [--scale 10m] [--seed 7] [--pdf-sample 40]     (make bench SCALE=1m)

1. The scale landing folder (bench/scale_data.py: Parquet through the data contract), generated
   once and cached under data/bench/<scale>-seed<seed>/landing.
2. Three contenders compute the contract's base columns per vendor and month over the same files,
   each in its own process (so each peak resident memory is its own):
   - the floor: one hand-written DuckDB query (bench/floor.sql);
   - the peer: a straightforward pandas implementation (bench/pandas_peer.py);
   - trustcard: a full 24-month backfill through Dagster, the same path as `trustcard run
     --no-reports` (pipelines.runner.run_months, on a fresh DuckDB file and a temporary Dagster
     home), timed per stage from the run's STEP_START / STEP_SUCCESS events in the instance's
     event log; then a one-month rerun (the last month) on the same database.
3. The costs around them: Great Expectations (timed inside the run) next to the same suites as
   plain SQL (bench/suite_sql.py); one month's PDFs (the executive PDF and a sample of vendor
   PDFs, serial and in parallel: bench/pdf_bench.py).
4. The check: the pandas peer's and the floor's numbers must equal trustcard's `scorecard`
   table, per vendor and month, within 1e-9; mismatches are printed and the exit status is 1.

It prints one table and ends with one line:
    bench: floor=1.00 trustcard=2.4 pandas=31.0 month_rerun=0.05 peak_gib=2.1 pdf_per_s=9.5 pdf_speedup=1.8
trustcard = (staging + validation + metrics) / floor; pandas = peer / floor; month_rerun = rerun /
backfill (Dagster run time); peak_gib = the backfill process's peak RSS; pdf_* = vendor PDFs in parallel.

Inside the trustcard process a few pipeline functions are wrapped with timers (read the landing
files, validation SQL, Great Expectations, metric models, ...) to split the stages; the run itself
is unchanged. Everything else a run writes goes to data/bench/<key>/run/ (removed unless --keep).
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import scale_data  # noqa: E402

COLUMNS = ["deliveries_due", "on_time_rate", "in_full_rate", "open_past_due", "median_days_late",
           "complaints_opened", "median_hours_to_acknowledge", "resolved_on_time_rate", "announcements_due"]
MONTHS = scale_data.bench_months()
START, END = MONTHS[0], scale_data.add_months(MONTHS[-1], 1)
AS_OF = scale_data.AS_OF
TOLERANCE = 1e-9
STAGES = ("staging", "validation", "metrics", "scorecard")
VALIDATED = {"vendors", "deliveries", "complaints", "announcement_events"}
METRICS = {"delivery_metrics", "complaint_metrics", "announcement_metrics"}
GIB = 1024 ** 3


def stage_of(step_key: str) -> str:
    if step_key.startswith("staged_"):
        return "staging"
    if step_key in VALIDATED:
        return "validation"
    if step_key in METRICS:
        return "metrics"
    return "scorecard" if step_key == "scorecard" else "other"


def peak_rss_bytes(who: int = resource.RUSAGE_SELF) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # kilobytes on Linux


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


# ---- the contenders, each run in its own process (`scale_bench.py child KIND ...`) ----------------

def repeated(fn, repeat: int) -> tuple[float, list[float], object]:
    """Median wall time of `repeat` runs (and every run's time, and the last result)."""
    times, result = [], None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def child_floor(landing: Path, work: Path, repeat: int) -> dict:
    import duckdb
    import pyarrow.parquet as pq

    sql = (BENCH_DIR / "floor.sql").read_text().replace("{landing}", landing.as_posix())
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    seconds, times, table = repeated(
        lambda: con.execute(sql, {"start": START, "end": END, "as_of": AS_OF}).to_arrow_table(), repeat)
    pq.write_table(table, work / "floor.parquet")
    return {"seconds": seconds, "runs": times, "rows": table.num_rows}


def child_pandas(landing: Path, work: Path, repeat: int) -> dict:
    import pandas_peer

    seconds, times, frame = repeated(lambda: pandas_peer.scorecard_columns(landing, START, END, AS_OF), repeat)
    frame.to_parquet(work / "pandas.parquet", index=False)
    return {"seconds": seconds, "runs": times, "rows": len(frame)}


class Timers:
    """Wall time spent in selected pipeline functions, by label; the current one in a progress file."""

    def __init__(self, progress: Path):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.progress = progress

    def wrap(self, module, name: str, label) -> None:
        fn = getattr(module, name, None)
        if fn is None or getattr(fn, "_bench_timed", False):
            return

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            key = label(*args, **kwargs) if callable(label) else label
            with self.progress.open("a") as f:
                f.write(f"{time.time():.3f} start {key}\n")
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - start
                self.calls[key] += 1
                with self.progress.open("a") as f:
                    f.write(f"{time.time():.3f} end {key}\n")

        timed._bench_timed = True
        setattr(module, name, timed)


def _feed_name(x) -> str:
    return getattr(x, "name", None) or str(x)


def instrument(timers: Timers) -> None:
    """Wrap the functions the assets call, to split each stage (names as of this writing; a
    function that is renamed or gone is simply not split out)."""
    from pipelines.defs.ingest import assets as ingest_assets, staging
    from pipelines.defs.quality import assets as quality_assets
    from pipelines.defs.scorecard import assets as scorecard_assets, build
    from pipelines.lib import duckdb_resource

    timers.wrap(duckdb_resource, "open_database", "db/open database file (per step)")
    timers.wrap(ingest_assets, "stage_feed", lambda con, landing, feed, *a, **k: f"staging/{feed.name}")
    timers.wrap(staging, "spool_feed", lambda landing, feed, *a, **k: f"staging/{feed.name}/read landing files, spool as text Parquet")
    timers.wrap(staging, "refuse_wrongly_typed_columns", lambda con, feed, *a, **k: f"staging/{feed.name}/whole-column check")
    timers.wrap(staging, "ensure_table_like", lambda con, table, *a, **k: f"staging/{table[4:]}/table shape")
    timers.wrap(quality_assets, "validate_feed", lambda con, feed, *a, **k: f"validation/{feed.name}/validation SQL + quarantine")
    timers.wrap(quality_assets, "_balance", lambda con, feed, *a, **k: f"validation/{feed.name}/rows_balance check")
    timers.wrap(quality_assets, "run_suite", lambda con, feed, *a, **k: f"validation/{_feed_name(feed)}/Great Expectations suite")
    timers.wrap(quality_assets, "_store_results", lambda con, feed, *a, **k: f"validation/{feed.name}/store suite results")
    timers.wrap(scorecard_assets, "build_metric", lambda con, model, *a, **k: f"metrics/{model}")
    timers.wrap(build, "_shadow_metrics", "scorecard/recompute metrics over the look-back (history) + n months")
    timers.wrap(build, "_memory", "scorecard/trust memory (Python)")
    timers.wrap(scorecard_assets, "build_scorecard", "scorecard/build_scorecard")


def step_timings(run_id: str) -> dict:
    """Per step: seconds from STEP_START to STEP_SUCCESS (or failure), from the event log; and the
    run's own start and end."""
    from dagster import DagsterEventType, DagsterInstance

    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
    with DagsterInstance.get() as instance:
        entries = instance.all_logs(run_id, of_type=kinds)
        stats = instance.get_run_stats(run_id)
    starts, steps = {}, {}
    for e in entries:
        kind = e.dagster_event_type
        if kind == DagsterEventType.STEP_START:
            starts[e.step_key] = e.timestamp
        elif e.step_key in starts:
            steps[e.step_key] = {"stage": stage_of(e.step_key), "start": starts[e.step_key],
                                 "seconds": e.timestamp - starts[e.step_key],
                                 "ok": kind == DagsterEventType.STEP_SUCCESS}
    stages = {s: sum(v["seconds"] for v in steps.values() if v["stage"] == s) for s in STAGES}
    return {"run_id": run_id, "steps": steps, "stages": stages,
            "run_seconds": (stats.end_time or 0) - (stats.start_time or 0),
            "run_start": stats.start_time, "run_end": stats.end_time}


def child_trustcard(kind: str, first: date, last: date, work: Path, export: bool) -> dict:
    """`trustcard run --months first..last --no-reports`, in this process, with the environment
    the parent set (TRUSTCARD_* and DAGSTER_HOME) before anything of pipelines was imported."""
    timers = Timers(work / f"progress-{kind}.log")
    import pipelines.definitions  # noqa: F401  (the definitions the runner uses, built from the environment)

    instrument(timers)
    from pipelines.runner import RunError, run_months

    t = time.perf_counter()
    try:
        outcome = run_months(first, last, reports=False)
        error = None
    except RunError as exc:
        outcome, error = None, str(exc)
    wall = time.perf_counter() - t
    result = {"wall_seconds": wall, "error": error, "timers": dict(timers.seconds), "calls": dict(timers.calls)}
    if outcome is not None:
        result |= step_timings(outcome.run_id)
    if export and outcome is not None:
        from pipelines.lib.duckdb_resource import open_database

        con = open_database(os.environ["TRUSTCARD_DB"], read_only=True)
        try:
            cols = ", ".join(COLUMNS)
            con.execute(f"""COPY (SELECT vendor_id, month, {cols} FROM scorecard
                                  WHERE month >= DATE '{START}' AND month < DATE '{END}' ORDER BY vendor_id, month)
                            TO '{(work / "trustcard.parquet").as_posix()}' (FORMAT parquet)""")
            result["quarantine"] = dict(con.execute("SELECT feed, count(*) FROM quarantine GROUP BY feed ORDER BY feed").fetchall())
            result["valid_rows"] = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                                    for t in ("vendors", "deliveries", "complaints", "announcement_events")}
            result["db_bytes"] = Path(os.environ["TRUSTCARD_DB"]).stat().st_size
        finally:
            con.close()
    return result


def child_checks(work: Path) -> dict:
    """The suites as plain SQL on the backfill's staged rows (the same rows and window the run's
    Great Expectations checks read), and Great Expectations' own import cost."""
    from suite_sql import run_suite_sql

    from pipelines.lib.duckdb_resource import open_database

    con = open_database(os.environ["TRUSTCARD_DB"], read_only=True)
    out: dict = {"feeds": {}}
    try:
        for feed in ("vendors", "deliveries", "complaints", "announcements"):
            # the window's months and the rows of unknown month, as the run's checks read them
            where, args = ("((month >= ? AND month < ?) OR month IS NULL)", [START, END]) if feed != "vendors" else ("true", [])
            t = time.perf_counter()
            r = run_suite_sql(con, feed, where, args, AS_OF)
            out["feeds"][feed] = r | {"seconds": time.perf_counter() - t}
    finally:
        con.close()
    t = time.perf_counter()
    import great_expectations  # noqa: F401

    out["gx_import_seconds"] = time.perf_counter() - t
    return out


def child_sensor(landing: Path) -> dict:
    """The late-data sensor's digests of the landing folder: its first evaluation (every feed), and
    a tick after a deliveries file changed (that feed digested again; the others are reused)."""
    from pipelines.defs.ingest.feeds import FEEDS_BY_NAME
    from pipelines.defs.ingest.landing_digest import digest_feed, digest_landing

    t = time.perf_counter()
    digests = digest_landing(landing)
    first = time.perf_counter() - t
    t = time.perf_counter()
    digest_feed(landing, FEEDS_BY_NAME["deliveries"])
    return {"first_s": first, "deliveries_s": time.perf_counter() - t,
            "months": sum(len(d.months) for d in digests.values())}


def child_pdf(work: Path, sample: int) -> dict:
    import pdf_bench

    return pdf_bench.measure(Path(os.environ["TRUSTCARD_DB"]), work / "pdf", MONTHS[-1], sample)


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="scale_bench.py child")
    parser.add_argument("kind", choices=["floor", "pandas", "backfill", "rerun", "rerun-late", "checks", "pdf", "sensor"])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--pdf-sample", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    if args.kind == "floor":
        result = child_floor(args.landing, args.work, args.repeat)
    elif args.kind == "pandas":
        result = child_pandas(args.landing, args.work, args.repeat)
    elif args.kind == "backfill":
        result = child_trustcard(args.kind, MONTHS[0], MONTHS[-1], args.work, export=True)
    elif args.kind in ("rerun", "rerun-late"):
        result = child_trustcard(args.kind, MONTHS[-1], MONTHS[-1], args.work, export=False)
    elif args.kind == "checks":
        result = child_checks(args.work)
    elif args.kind == "sensor":
        result = child_sensor(args.landing)
    else:
        result = child_pdf(args.work, args.pdf_sample)
    result["peak_rss_bytes"] = peak_rss_bytes()
    result["children_peak_rss_bytes"] = peak_rss_bytes(resource.RUSAGE_CHILDREN)
    write_json(args.work / f"{args.kind}.json", result)


# ---- the parent: run the children one after another, compare, print -------------------------

def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (all processes), from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--exclude", "*"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _rows(parquet: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(parquet).metadata.num_rows


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_child(kind: str, landing: Path, work: Path, env: dict, timeout: float | None, pdf_sample: int,
              log, repeat: int = 1, max_rss: float | None = None) -> dict:
    """Run one contender in its own process; sample its resident memory while it runs, and stop it
    (by its process id) past the time limit or the memory cap."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "child", kind, "--landing", str(landing),
           "--work", str(work), "--pdf-sample", str(pdf_sample), "--repeat", str(repeat)]
    (work / f"{kind}.json").unlink(missing_ok=True)
    started = time.time()
    samples: list[tuple[float, int]] = []
    with (work / f"{kind}.stderr").open("w") as err:
        # This checkout's pipelines first: an editable install elsewhere must not be measured instead.
        env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))}
        proc = subprocess.Popen(cmd, env=env, stdout=err, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        timed_out = over_memory = False
        while proc.poll() is None:
            samples.append((time.time(), _rss(proc.pid)))
            timed_out = bool(timeout and time.time() - started > timeout)
            over_memory = bool(max_rss and samples[-1][1] > max_rss)
            if timed_out or over_memory:
                proc.kill()  # the process this bench started, by its id
                proc.wait()
                break
            time.sleep(0.5)
    wall = time.time() - started
    peak_at = max(samples, key=lambda s: s[1]) if samples else (started, 0)
    result = {"kind": kind, "ok": proc.returncode == 0 and (work / f"{kind}.json").exists(), "process_seconds": wall,
              "timed_out": timed_out, "over_memory": over_memory, "returncode": proc.returncode, "sampled_peak_rss_bytes": peak_at[1],
              "sampled_peak_at": peak_at[0]}
    (work / f"{kind}.rss.tsv").write_text("".join(f"{t - started:.1f}\t{r}\n" for t, r in samples))
    events = _progress(work, kind)
    result["sampled_peak_in"] = _open_at(events, peak_at[0]) if events else None
    if result["ok"]:
        result |= json.loads((work / f"{kind}.json").read_text())
        if result.get("steps"):  # the sampled peak of each stage, from its steps' start and end
            peaks: dict[str, int] = defaultdict(int)
            for step in result["steps"].values():
                inside = [r for t, r in samples if step["start"] <= t <= step["start"] + step["seconds"]]
                peaks[step["stage"]] = max([peaks[step["stage"]], *inside])
            result["stage_peak_rss_bytes"] = dict(peaks)
            if not result.get("sampled_peak_in"):
                result["sampled_peak_in"] = next(
                    (f"step {k}" for k, st in result["steps"].items() if st["start"] <= peak_at[0] <= st["start"] + st["seconds"]),
                    "no step (process start-up, Dagster, or the export after the run)")
    else:
        tail = (work / f"{kind}.stderr").read_text(errors="replace").strip().splitlines()[-15:]
        result["error_tail"] = tail
        result["in_progress"] = _open_at(events)
        result["timers"] = _completed(events)
        why = "timed out" if timed_out else f"stopped over the memory cap ({fmt_gib(max_rss)} GiB)" if over_memory else "failed"
        result["why"] = why
        log(f"bench: {kind} {why} after {wall:.0f} s"
            + (f" (in {result['in_progress']})" if result["in_progress"] else "") + "\n  " + "\n  ".join(tail))
    return result


def _progress(work: Path, kind: str) -> list[tuple[float, str, str]]:
    """(time, start|end, label) of the instrumented calls of a trustcard process."""
    path = work / f"progress-{kind}.log"
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        t, what, label = line.split(" ", 2)
        events.append((float(t), what, label))
    return events


def _open_at(events: list[tuple[float, str, str]], moment: float | None = None) -> str | None:
    """The instrumented calls open at a moment (default: at the end), outermost first."""
    open_: list[str] = []
    for t, what, label in events:
        if moment is not None and t > moment:
            break
        if what == "start":
            open_.append(label)
        elif label in open_:
            open_.remove(label)
    return " > ".join(open_) or None


def _completed(events: list[tuple[float, str, str]]) -> dict[str, float]:
    """Seconds per label of the calls that finished (for a process that was stopped)."""
    started, done = {}, defaultdict(float)
    for t, what, label in events:
        if what == "start":
            started[label] = t
        elif label in started:
            done[label] += t - started.pop(label)
    return dict(done)


def compare(work: Path) -> dict:
    """Per vendor-month agreement of pandas and the floor with trustcard's scorecard (|diff| <= 1e-9,
    NULL only with NULL; a row missing on one side is a mismatch)."""
    import duckdb

    con = duckdb.connect()
    out = {}
    files = {k: work / f"{k}.parquet" for k in ("trustcard", "pandas", "floor")}
    for other in ("pandas", "floor"):
        if not files["trustcard"].exists() or not files[other].exists():
            out[other] = None
            continue
        differs = " OR ".join(
            f"(t.{c} IS NULL) <> (o.{c} IS NULL) OR abs(t.{c}::DOUBLE - o.{c}::DOUBLE) > {TOLERANCE}" for c in COLUMNS)
        rows = con.execute(f"""
            SELECT coalesce(t.vendor_id, o.vendor_id) AS vendor_id, coalesce(t.month, o.month::DATE) AS month,
                   t.vendor_id IS NULL AS only_{other}, o.vendor_id IS NULL AS only_trustcard,
                   {', '.join(f't.{c} AS t_{c}, o.{c} AS o_{c}' for c in COLUMNS)}
            FROM read_parquet('{files['trustcard']}') t
            FULL JOIN read_parquet('{files[other]}') o ON o.vendor_id = t.vendor_id AND o.month::DATE = t.month
            WHERE t.vendor_id IS NULL OR o.vendor_id IS NULL OR {differs}
            ORDER BY ALL""").fetchall()
        total = con.execute(f"SELECT count(*) FROM read_parquet('{files['trustcard']}')").fetchall()[0][0]
        details = []
        for r in rows[:10]:
            if r[2] or r[3]:
                details.append(f"{r[0]} {r[1]}: only in {other if r[2] else 'trustcard'}")
                continue
            for i, c in enumerate(COLUMNS):
                t_val, o_val = r[4 + 2 * i], r[5 + 2 * i]
                if (t_val is None) != (o_val is None) or (t_val is not None and abs(t_val - o_val) > TOLERANCE):
                    details.append(f"{r[0]} {r[1]} {c}: trustcard={t_val} {other}={o_val}")
        out[other] = {"mismatches": len(rows), "rows": total, "details": details}
    return out


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def fmt_gib(b: float | None) -> str:
    return "—" if not b else f"{b / GIB:.2f}"


def ratio(a: float | None, b: float | None) -> float:
    return a / b if a is not None and b else math.nan


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        child_main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description="trustcard scale benchmark (issue 7)")
    parser.add_argument("--scale", choices=list(scale_data.SCALES), default="10m")
    parser.add_argument("--seed", type=int, default=scale_data.DEFAULT_SEED)
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data" / "bench")
    parser.add_argument("--pdf-sample", type=int, default=40, help="vendor PDFs to render (0: no PDFs)")
    parser.add_argument("--timeout", type=float, default=0, help="seconds allowed per contender process (0: none)")
    parser.add_argument("--max-rss-gib", type=float, default=0,
                        help="stop a contender whose resident memory passes this (0: no cap)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the floor (and of the pandas peer up to 1M deliveries); the median counts")
    parser.add_argument("--skip", action="append", default=[], choices=["pandas", "rerun", "rerun-late", "checks", "pdf", "sensor"],
                        help="leave a part out (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the run's DuckDB file and Dagster home")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    landing, manifest = scale_data.ensure(args.data_dir, args.scale, args.seed, log=log)
    generated = time.perf_counter() - t0
    work = args.data_dir / scale_data.cache_key(args.scale, args.seed) / "run"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = {**os.environ,
           "TRUSTCARD_LANDING_DIR": str(landing), "TRUSTCARD_DB": str(work / "trustcard.duckdb"),
           "TRUSTCARD_REPORTS_DIR": str(work / "reports"), "TRUSTCARD_FIRST_MONTH": f"{MONTHS[0]:%Y-%m}",
           "TRUSTCARD_AS_OF": AS_OF.isoformat(), "DAGSTER_HOME": str(work / "dagster_home"),
           "PYTHONWARNINGS": "ignore"}
    for name in [n for n in env if n.startswith(("TRUSTCARD_SMTP_", "TRUSTCARD_MAIL_", "TRUSTCARD_TEST_"))]:
        del env[name]
    timeout = args.timeout or None
    load_before = os.getloadavg()
    results: dict[str, dict] = {}
    cpu_before = busy_cpu_seconds()
    plan = ["floor", "pandas", "backfill", "rerun", "checks", "pdf", "rerun-late", "sensor"]
    for kind in plan:
        if kind in args.skip or (kind == "pdf" and args.pdf_sample <= 0):
            continue
        if kind in ("rerun", "rerun-late", "checks", "pdf") and not results.get("backfill", {}).get("ok"):
            continue
        log(f"bench: {kind} ...")
        repeat = args.repeat if kind == "floor" or (kind == "pandas" and manifest["rows"]["deliveries"] <= 1_100_000) else 1
        late = scale_data.write_late_deliveries(landing, MONTHS[-1], seed=args.seed) if kind == "rerun-late" else None
        try:
            results[kind] = run_child(kind, landing, work, env, timeout, args.pdf_sample, log, repeat,
                                      args.max_rss_gib * GIB or None)
            if late is not None:
                results[kind]["late_rows"] = _rows(late)
        finally:
            if late is not None:
                late.unlink()  # the cached folder is the generated one again
    agreement = compare(work)
    bench_seconds = time.perf_counter() - t0
    mine = sum(getattr(resource.getrusage(w), a) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for a in ("ru_utime", "ru_stime"))
    manifest = {**manifest, "load_before": load_before, "load_after": os.getloadavg(), "bench_seconds": bench_seconds,
                "other_cpu_share": max(0.0, busy_cpu_seconds() - cpu_before - mine) / (bench_seconds * (os.cpu_count() or 1)),
                "commit": git_commit()}
    summary = report(args, manifest, generated, results, agreement, print)
    if args.json:
        write_json(args.json, {"scale": args.scale, "seed": args.seed, "manifest": manifest, "results": results,
                               "agreement": agreement, "summary": summary})
    write_json(work / "results.json", {"results": results, "agreement": agreement, "summary": summary})
    if not args.keep:
        for path in (work / "trustcard.duckdb", work / "trustcard.duckdb.wal", work / "trustcard.duckdb.spool",
                     work / "trustcard.duckdb.tmp", work / "dagster_home", work / "pdf", work / "reports"):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    agreed = all(a is not None and a["mismatches"] == 0 for a in agreement.values())
    failed = [k for k, r in results.items() if not r["ok"]]
    return 0 if agreed and not failed else 1


def report(args, manifest: dict, generated: float, results: dict, agreement: dict, out) -> str:
    rows_m = manifest["rows"]
    floor = results.get("floor", {})
    t_floor = floor.get("seconds") if floor.get("ok") else None
    back = results.get("backfill", {})
    rerun = results.get("rerun", {})
    stages = back.get("stages") or {}
    base = sum(stages.get(s, 0) for s in ("staging", "validation", "metrics")) if back.get("ok") else None
    pandas = results.get("pandas", {})
    t_pandas = pandas.get("seconds") if pandas.get("ok") else None
    pdf = results.get("pdf", {})
    checks = results.get("checks", {})
    cores = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    out(f"scale bench: {args.scale} (seed {args.seed}): {rows_m['deliveries']:,} deliveries, {rows_m['complaints']:,} "
        f"complaints, {rows_m['announcement_events']:,} announcement events, {rows_m['vendors']:,} vendors, "
        f"{MONTHS[0]:%Y-%m}..{MONTHS[-1]:%Y-%m} (Parquet, {manifest['seconds']:.0f} s to generate"
        f"{'' if generated > 1 else ', cached'}); {cores} cores, {mem:.0f} GiB; load average "
        f"{manifest['load_before'][0]:.1f} before, {manifest['load_after'][2]:.1f} over the last 15 min after "
        f"({manifest['bench_seconds'] / 60:.0f} min); other processes used {100 * manifest['other_cpu_share']:.0f}% of "
        f"the CPU meanwhile{' (times are inflated)' if manifest['other_cpu_share'] > 0.05 else ''}; trustcard at {manifest['commit']}")
    w = 58
    out(f"{'what':<{w}}{'seconds':>10}{'x floor':>9}{'peak GiB':>10}  note")

    def row(name: str, seconds: float | None, x: float | None = None, peak: float | None = None, note: str = "") -> None:
        xs = "" if x is None or math.isnan(x) else f"{x:.2f}"
        out(f"{name:<{w}}{fmt_s(seconds):>10}{xs:>9}{fmt_gib(peak) if peak else '':>10}  {note}".rstrip())

    row("floor: one DuckDB query over the Parquet files", t_floor, 1.0 if t_floor else None, floor.get("peak_rss_bytes"),
        f"{floor.get('rows', 0):,} vendor-months, median of {len(floor.get('runs', []))}" if floor.get("ok") else "FAILED")
    row("pandas peer: read, filter, group by", t_pandas, ratio(t_pandas, t_floor), pandas.get("peak_rss_bytes"),
        (f"median of {len(pandas.get('runs', []))}" if pandas.get("ok") else pandas.get("why", "FAILED")) if pandas else "")
    if back:
        note = (back.get("why", "FAILED").upper() if not back.get("ok")
                else f"Dagster run {back.get('run_seconds', 0):,.1f} s, process {back['process_seconds']:,.0f} s")
        if not back.get("ok"):
            note += f" after {back['process_seconds']:,.0f} s" + (f", in {back.get('in_progress')}" if back.get("in_progress") else "")
        row(f"trustcard: {len(MONTHS)}-month backfill through Dagster (tables)", back.get("run_seconds"),
            ratio(back.get("run_seconds"), t_floor), back.get("peak_rss_bytes") or back.get("sampled_peak_rss_bytes"), note)
        timers = back.get("timers", {})
        for stage in STAGES:
            steps = {k: v for k, v in (back.get("steps") or {}).items() if v["stage"] == stage}
            row(f"  {stage} ({len(steps)} step{'s' * (len(steps) != 1)})", stages.get(stage), ratio(stages.get(stage), t_floor),
                (back.get("stage_peak_rss_bytes") or {}).get(stage), note=", ".join(f"{k} {v['seconds']:.1f}" for k, v in sorted(steps.items(), key=lambda kv: -kv[1]["seconds"])))
            for label, seconds in sorted(((k, v) for k, v in timers.items() if k.startswith(stage + "/") and k.count("/") == 2),
                                         key=lambda kv: -kv[1])[:6]:
                row(f"    {label.split('/', 1)[1]}", seconds)
            if stage == "scorecard":
                for label in ("scorecard/recompute metrics over the look-back (history) + n months", "scorecard/trust memory (Python)"):
                    if label in timers:
                        row(f"    {label.split('/', 1)[1]}", timers[label])
        row("  base columns: staging + validation + metrics", base, ratio(base, t_floor), note="the 'trustcard' ratio")
        gx = sum(v for k, v in timers.items() if k.endswith("/Great Expectations suite"))
        val_sql = sum(v for k, v in timers.items() if k.endswith("/validation SQL + quarantine"))
        if gx:
            row("  Great Expectations suites, in the run (4 feeds)", gx, ratio(gx, t_floor),
                note=f"incl. the import ({checks.get('gx_import_seconds', 0):.1f} s in a fresh process)" if checks.get("ok") else "")
        if checks.get("ok"):
            sql_s = sum(f["seconds"] for f in checks["feeds"].values())
            flagged = sum(sum(f["flagged"].values()) for f in checks["feeds"].values())
            nq = sum(f["not_quarantined"] for f in checks["feeds"].values())
            row("  the same suites as plain SQL (DuckDB, same rows)", sql_s, ratio(sql_s, t_floor), checks.get("peak_rss_bytes"),
                f"{flagged:,} flags, {nq} not quarantined; GE / SQL = {ratio(gx, sql_s):.0f}x")
        if val_sql:
            row("  validation SQL + quarantine (4 feeds)", val_sql, ratio(val_sql, t_floor))
    if rerun:
        r_stages = rerun.get("stages") or {}
        row(f"trustcard: one-month rerun ({MONTHS[-1]:%Y-%m}) after the backfill", rerun.get("run_seconds"),
            ratio(rerun.get("run_seconds"), t_floor), rerun.get("peak_rss_bytes"),
            f"{ratio(rerun.get('run_seconds'), back.get('run_seconds')):.2f} of the backfill" if rerun.get("ok") else "FAILED")
        for stage in STAGES:
            if stage in r_stages:
                row(f"  {stage}", r_stages[stage], ratio(r_stages[stage], t_floor), (rerun.get("stage_peak_rss_bytes") or {}).get(stage),
                    note=f"{ratio(r_stages[stage], stages.get(stage)):.2f} of the backfill's")
    late = results.get("rerun-late", {})
    if late:
        l_stages = late.get("stages") or {}
        row(f"trustcard: rerun of {MONTHS[-1]:%Y-%m} after late data", late.get("run_seconds"),
            ratio(late.get("run_seconds"), t_floor), late.get("peak_rss_bytes"),
            (f"{ratio(late.get('run_seconds'), back.get('run_seconds')):.2f} of the backfill; one new file of "
             f"{late.get('late_rows', 0):,} deliveries") if late.get("ok") else late.get("why", "FAILED"))
        for stage in STAGES:
            if stage in l_stages:
                row(f"  {stage}", l_stages[stage], ratio(l_stages[stage], t_floor), (late.get("stage_peak_rss_bytes") or {}).get(stage),
                    note=f"{ratio(l_stages[stage], stages.get(stage)):.2f} of the backfill's")
    sensor = results.get("sensor", {})
    if sensor.get("ok"):
        row(f"late-data sensor: digests of the landing folder ({sensor['months']} feed-months)", sensor["first_s"],
            ratio(sensor["first_s"], t_floor), sensor.get("peak_rss_bytes"), "its first evaluation: every feed")
        row("  a tick after a deliveries file changed", sensor["deliveries_s"], ratio(sensor["deliveries_s"], t_floor),
            note="deliveries digested again, the other feeds reused")
    elif sensor:
        row("late-data sensor", None, note="FAILED")
    if pdf.get("ok"):
        n = pdf["pdfs"]
        row(f"PDFs of {pdf['month']}: executive ({pdf['executive_vendors']:,} vendors, {pdf.get('executive_pages') or '?'} pages)",
            pdf["executive_s"], None, pdf.get("peak_rss_bytes"), "context + render")
        row(f"  vendor report contexts ({n} vendors)", pdf["contexts_s"], note=f"{pdf['contexts_s'] / n:.2f} s per vendor")
        row(f"  vendor PDFs serial ({n})", pdf["serial_s"], note=f"{pdf['serial_s'] / n:.2f} s per PDF")
        row(f"  vendor PDFs parallel ({pdf['workers']} processes)", pdf["parallel_s"],
            peak=pdf.get("children_peak_rss_bytes"),
            note=f"{pdf['parallel_s'] / n:.2f} s per PDF, {pdf['pdf_per_s']:.2f} PDF/s, speed-up {pdf['speedup']:.2f}")
    elif pdf:
        row("PDFs", None, note="FAILED")
    for other, a in agreement.items():
        if a is None:
            out(f"agreement {other} vs trustcard: not compared (a side is missing)")
            continue
        out(f"agreement {other} vs trustcard: {a['mismatches']} mismatching vendor-months of {a['rows']:,} "
            f"(9 base columns, |diff| <= {TOLERANCE:g})")
        for d in a["details"]:
            out(f"  {d}")
    if back.get("quarantine"):
        out("trustcard quarantine: " + ", ".join(f"{k} {v:,}" for k, v in back["quarantine"].items())
            + f"; database {back.get('db_bytes', 0) / GIB:.2f} GiB")
    for kind in ("backfill", "rerun", "rerun-late"):
        r = results.get(kind, {})
        if r.get("sampled_peak_in"):
            out(f"trustcard {kind}: resident memory peaked ({fmt_gib(r['sampled_peak_rss_bytes'])} GiB sampled) in "
                f"{r['sampled_peak_in']}")
    peak = back.get("peak_rss_bytes") if back.get("ok") else None
    line = (f"bench: floor=1.00 trustcard={ratio(base, t_floor):.1f} pandas={ratio(t_pandas, t_floor):.1f} "
            f"month_rerun={ratio(rerun.get('run_seconds'), back.get('run_seconds')):.2f} "
            f"peak_gib={peak / GIB if peak else math.nan:.1f} "
            f"pdf_per_s={pdf.get('pdf_per_s', math.nan) if pdf.get('ok') else math.nan:.1f} "
            f"pdf_speedup={pdf.get('speedup', math.nan) if pdf.get('ok') else math.nan:.1f}")
    out(line)
    return line


if __name__ == "__main__":
    sys.exit(main())
