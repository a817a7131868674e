"""The `trustcard` command: run months through Dagster, run the demo, validate a landing folder."""
from __future__ import annotations

import argparse
import atexit
import functools
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from .lib.months import add_months, parse_month, range_label, ranges_label
from .lib.settings import DEFAULT_FIRST_MONTH, Settings, as_of_from_env, as_of_note
from .lib.terminal import make_output_inert

DEMO_MONTHS = 24


def main(argv: Sequence[str] | None = None) -> int:
    warnings.filterwarnings("ignore")  # Dagster's beta/preview warnings are not for end users
    _install_quiet_teardown()  # first: runs after every other exit handler
    make_output_inert()  # values quoted from landing files print escaped, never as terminal controls
    args = _parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # here, where a reader gone is caught, not at exit
        return code
    except KeyboardInterrupt:
        print("trustcard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`trustcard validate | head`): nothing to tell, and nowhere to print
        # it (review: "trustcard: [Errno 32] Broken pipe"). Exit as SIGPIPE would end a C program.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # one line for the user, not a traceback
        print(f"trustcard: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)  # a run interrupted by a signal: 128 + its number


@functools.cache
def _install_quiet_teardown() -> None:
    atexit.register(_quiet_interpreter_teardown)


def _quiet_interpreter_teardown() -> None:
    """Send what is printed while the interpreter tears itself down to /dev/null. A process that
    imported both Great Expectations and duckdb_engine gets a screenful of nanobind "leaked
    instance" warnings at that point (DuckDB's module-level type objects outlive its extension);
    they say nothing about the run, whose output and errors are all printed before this."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away; main said nothing more either
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trustcard", description="Monthly trust scorecards: does a vendor keep its word?")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="materialise months through Dagster (one run for the whole range)")
    run.add_argument("--months", help="YYYY-MM or YYYY-MM..YYYY-MM (default: the last complete month)")
    run.add_argument("--no-reports", action="store_true", help="rebuild the tables only, render no PDF")
    run.set_defaults(handler=_run)
    demo = sub.add_parser("demo", help="generate the sample landing data and score its last 24 months")
    demo.set_defaults(handler=_demo)
    validate = sub.add_parser("validate", help="check a landing folder without writing anything")
    validate.add_argument("landing_dir", nargs="?", help="default: TRUSTCARD_LANDING_DIR or data/landing")
    validate.set_defaults(handler=_validate)
    importer = sub.add_parser("import", help="turn a public data set into landing files (scms, cfpb, k8s-keps, all)")
    importer.add_argument("source_kind", choices=["scms", "cfpb", "k8s-keps", "all"])
    importer.add_argument("source", help="the source file, or the folder holding it (for 'all': the folder)")
    importer.add_argument("--to", required=True, dest="to", help="the landing folder to write")
    importer.set_defaults(handler=_import)
    return parser


def _run(args: argparse.Namespace) -> int:
    from .runner import RunError, parse_months, run_months

    _follow_the_database_first_month()
    first, last = parse_months(args.months)
    try:
        outcome = run_months(first, last, reports=not args.no_reports)
    except RunError as exc:
        # A run that failed after validating may still have changed rows months scored before
        # were built from; its next run reuses that validation and could not say so any more.
        note = _out_of_date_note(exc.outcome, failed=True) if exc.outcome else None
        if note:
            print(note)
        raise
    _print_outcome(outcome)
    note = _out_of_date_note(outcome)
    if note:
        print(note)
    return 0


def _follow_the_database_first_month() -> None:
    """Unset, TRUSTCARD_FIRST_MONTH is the one the database's scores were made with, not the
    default: `trustcard run` after `make demo` (which scores from 24 months back) must not rescore
    trust's memory from another month without being asked (review: 63 vendor-months moved)."""
    from .runner import recorded_first_month

    if "TRUSTCARD_FIRST_MONTH" in os.environ:
        return
    recorded = recorded_first_month()
    if recorded and recorded != DEFAULT_FIRST_MONTH:
        os.environ["TRUSTCARD_FIRST_MONTH"] = recorded
        print(f"TRUSTCARD_FIRST_MONTH is not set: {recorded}, the month this database's scores begin trust's "
              "memory (set it to score from another)")


def _out_of_date_note(outcome, failed: bool = False) -> str | None:
    """Scored months, outside this run's range, whose validated rows (or an earlier month's)
    changed since they were scored: a late file's month, a month whose key now conflicts with a
    late file's, every month after an edit of the vendor list, and every month after them (a
    month's trust remembers the months before it). Read from the database (`scores_out_of_date`),
    so a later run names them too until they are scored again; the late-data sensor reruns them
    itself. Says what this run changed, when it changed anything."""
    from .defs.quality.validate import VALID_TABLE

    stale = [m for m in outcome.months_out_of_date if not outcome.first <= m <= outcome.last]
    if not stale:
        return None
    validated = [meta for name, _, meta in outcome.steps if name in VALID_TABLE.values()]
    changed = {m for meta in validated for m in meta.get("months_changed") or [] if m != "none"}
    reach = {meta.get("scores_move_from") for meta in validated} - {None, "", "none"}
    if changed and reach:
        whole = "all" in reach  # the vendor list: names and categories of every month
        what = "this run changed " + ("the vendor list" if whole else "the rows of " + _listed(sorted(changed)))
        earliest = None if whole else min(parse_month(m) for m in reach)
        if not whole and earliest < min(parse_month(m) for m in changed if m != "all"):
            what += f" (announcements due then are judged from {earliest:%Y-%m}, when they were first moved)"
    else:
        # scores_out_of_date keeps which months, not why: a late file, or a run scored another way
        # (review: after a change of TRUSTCARD_FIRST_MONTH this named validated rows alone)
        what = "an earlier run changed validated rows or how scores are made"
    old = "from the old rows" if changed and reach else "from the old rows or the old way"
    scoring = next((meta.get("scoring_changed") for name, _, meta in outcome.steps if name == "scorecard"), "no")
    if scoring != "no":  # TRUSTCARD_FIRST_MONTH or the trust model since the last scoring
        what = (what + "; it also" if changed and reach else "this run") + f" scores another way: {scoring}"
        old = "the old way" if not (changed and reach) else "from the old rows or the old way"
    ranges = ranges_label(stale)
    # From the first to the last month out of date; the run's own months too when it failed (it must
    # run again), not when it scored them from the rows as they are (review: a run of January
    # named 2026-01..2026-10 for April..October out of date).
    first, last = (min(stale[0], outcome.first), max(stale[-1], outcome.last)) if failed else (stale[0], stale[-1])
    said = (f"note: {what}; months scored before {old} are out of date: {ranges} "
            f"(a month's trust remembers the months before it).")
    # A month not complete by the as-of date cannot be run (review: TRUSTCARD_AS_OF moved back
    # named a command that was then refused): the command stops at the last month that can.
    from .runner import last_scorable_month

    can = last_scorable_month()
    if first > can:
        return (f"{said} None of them is complete by TRUSTCARD_AS_OF={as_of_from_env()}: they can be scored "
                "again once it is moved on")
    if last > can:
        return (f"{said} Rerun them: trustcard run --months {range_label(first, can)}; the months after "
                f"{can:%Y-%m} are not complete by TRUSTCARD_AS_OF={as_of_from_env()} and wait until it is moved on")
    return f"{said} Rerun them: trustcard run --months {range_label(first, last)}"


def _listed(months: list[str], limit: int = 6) -> str:
    return ", ".join(months[:limit]) + (f" and {len(months) - limit} more months" if len(months) > limit else "")


def _demo(args: argparse.Namespace) -> int:
    from .demo_targets import NotADemoTarget, check_demo_targets, mark_demo_reports
    from .runner import RunError, check_range, last_scorable_month, run_months
    from .sample_data import files_not_from_the_sample, generate

    last = last_scorable_month()
    first = add_months(last, -(DEMO_MONTHS - 1))
    os.environ.setdefault("TRUSTCARD_FIRST_MONTH", f"{first:%Y-%m}")
    settings = Settings.from_env()
    # Nothing is written before every check: settings exported for real data must not lose their
    # landing folder to the sample, nor their database to its scores.
    check_range(first, last)
    try:
        check_demo_targets(settings)
    except NotADemoTarget as exc:
        raise RunError(str(exc)) from exc
    mark_demo_reports(settings.reports_dir)
    landing = settings.landing_dir
    for rel in files_not_from_the_sample(landing):
        print(f"warning: {landing / rel} was not written by the sample; the demo replaces the sample's "
              "feed folders and deletes it")
    counts = generate(landing, last, months=DEMO_MONTHS)
    print(f"sample data for {first:%Y-%m}..{last:%Y-%m} in {landing}: "
          + ", ".join(f"{n} {feed}" for feed, n in counts.items()))
    _print_outcome(run_months(first, last))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .defs.quality.dry_run import format_report, validate_landing

    settings = Settings.from_env()
    landing = Path(args.landing_dir) if args.landing_dir else settings.landing_dir
    # The database runs on this folder write tells whether a feed folder was emptied since.
    same = landing.resolve() == settings.landing_dir.resolve()
    report = validate_landing(landing, as_of_from_env(), settings.db_path if same else None)
    print(format_report(report, landing, _recipients_rejected(report.recipients)))
    return 0 if report.ok else 2


def _recipients_rejected(recipients: list[tuple[str, str]]) -> list[str]:
    """The report_recipients entries the mail step will not send to, said before any run (review:
    only the mail step said so, after the month's PDFs)."""
    from .defs.mail.addresses import parse_recipients

    return [f"vendors: report_recipients of {vendor_id!r}: {r.shown} rejected, {r.reason}; its PDF is not mailed there"
            for vendor_id, text in recipients for r in parse_recipients(text)[1]]


def _import(args: argparse.Namespace) -> int:
    from .adapters import IMPORTERS, import_all

    source, landing = Path(args.source), Path(args.to)
    reports = import_all(source, landing) if args.source_kind == "all" else IMPORTERS[args.source_kind](source, landing)
    for report in reports:
        print(report.summary())
    return 0 if all(r.reconciles for r in reports) else 1


def _print_outcome(outcome) -> None:
    print(f"run {outcome.run_id} scored {range_label(outcome.first, outcome.last)}")
    for name, status, meta in outcome.steps:
        shown = ", ".join(f"{k}={v}" for k, v in meta.items()
                          if isinstance(v, (int, float, str)) and k not in ("files", "scores_move_from"))  # for the note
        print(f"  {status:>3}  {name:<22} {shown}")
    settings = Settings.from_env()
    print(f"as of:    {settings.as_of} (facts after it are quarantined; TRUSTCARD_AS_OF{as_of_note(settings.as_of)})")
    print(f"database: {settings.db_path}")
    print(f"reports:  {settings.reports_dir}")


if __name__ == "__main__":
    raise SystemExit(main())
