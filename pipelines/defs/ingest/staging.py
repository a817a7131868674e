"""Stage a feed: landing files -> typed rows in DuckDB (`stg_<feed>`), one window of months at a time.

Staging replaces the window's months (and the rows of unknown month), then judges duplicates and
conflicts across all files of the feed: the keys written more than once, found from the stored key
column, get their status and places by one UPDATE (`staged/duplicates_judged_again.sql`). After a
late, changed or removed file of a feed whose rows stand alone (RESTAGEABLE), only that file's rows
are replaced and its keys judged again, by the same UPDATE.
Files are read a few at a time (one per core) and spooled to Parquet, so memory holds those files'
text, not the feed's; DuckDB streams the spool and spills beyond its memory limit. Spooled files
are kept beside the database (`<db>.spool/files/`), so an unchanged landing file is not read again.

The spooled files also keep each row as read: the staged table holds the typed values, and
validation makes the raw records (JSON, `landing.raw_record_sql`) of the few rows it quarantines
from the spool (`spooled_files` says which spooled file holds a landing file's rows). Writing 10M
raw records into the staged table cost a third of staging (15.6 against 10.6 s).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ...lib.build_log import fingerprint, last_detail
from ...lib.db import ensure_table_like, month_filter, prepare, table_exists, transaction
from ...lib.months import ALL_MONTHS
from ...lib.sql import load_sql
from .feeds import Feed
from .landing import LandingError, empty_frame, file_signatures, landing_files, read_file

# A column whose every value fails to parse is a structural fault (wrong format, wrong column),
# not a few bad rows: with at least this many values, the file is refused as a whole.
WHOLE_COLUMN_MIN_VALUES = 3
# Feeds whose rows stand alone (a row's month is its own, duplicates are judged by its key): a late
# or changed file can be restaged by itself. An announcement's month comes from its first event,
# which may be in another file, and the vendor list is one file: those are staged whole.
RESTAGEABLE = {"deliveries", "complaints"}
# Feeds whose rows carry a key of their own, judged after the write (judge_duplicates), by the one
# query a late file's restaging and the late-data sensor use too. Measured alone, typing 10M
# deliveries once and updating the 32,000 rows of repeated keys took 8.3 s against 12.5 s for
# typing them again inside the insert; in the run, staging costs the same either way
# (docs/performance.md, session 16). An announcement event has no key: its model judges copies by
# their fingerprint, with the announcement's month.
KEYED = {"vendors", "deliveries", "complaints"}
# Landing files read at once while spooling (each holds one file's text in memory).
SPOOL_WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class StageSummary:
    feed: str
    files: list[str]
    rows_read: int
    rows_in_window: int
    blank_lines: int
    signatures: dict[str, list[int]]  # what was staged: file -> [size, mtime_ns, ctime_ns, inode]


@dataclass(frozen=True)
class Landed:
    """The feed's files, spooled by spool_feed."""

    files: list[str]
    rows: int
    blank_lines: int
    parts: list[Path]  # the spooled file of each of `files`
    cache: Path | None = None  # where kept spooled files are (None: not kept)


@contextmanager
def landing_view(con: duckdb.DuckDBPyConnection, landing_dir: Path, feed: Feed,
                 only: set[str] | None = None, keep: bool = True) -> Iterator[Landed]:
    """Every landing file of the feed (or those named in `only`), as text with provenance, in the
    temp view `landing` for as long as the block lasts. `Landed` counts every file either way.
    With `keep`, the spooled files are kept (beside the database; for an in-memory database in a
    temporary folder of the process) for validation's raw records: staging lists them in
    `spooled_files` (list_spooled_files) in the transaction that writes its rows."""
    parent = _spool_parent(con, landing_dir) if keep else None
    try:
        with tempfile.TemporaryDirectory(prefix=f"trustcard-{feed.name}-", dir=parent) as spool:
            landed, parts = spool_feed(landing_dir, feed, Path(spool), parent / "files" if parent else None)
            if only is not None:  # parts[0] is the empty file that gives the view its columns
                parts = parts[:1] + [part for name, part in zip(landed.files, parts[1:]) if name in only]
            con.execute(f"CREATE OR REPLACE TEMP VIEW landing AS SELECT * FROM read_parquet({parquet_list(parts)})")
            try:
                yield landed
            finally:
                con.execute("DROP VIEW IF EXISTS landing")
    finally:
        if parent is not None and not _is_process_spool(parent):
            with contextlib.suppress(OSError):  # not empty: the cache of spooled files
                parent.rmdir()


def parquet_list(parts: list[Path]) -> str:
    """A SQL list literal of Parquet paths (read_parquet takes no parameters for its files)."""
    return "[" + ", ".join("'" + str(part).replace("'", "''") + "'" for part in parts) + "]"


def list_spooled_files(con: duckdb.DuckDBPyConnection, feed: Feed, landed: Landed) -> None:
    """Which spooled file holds each landing file's rows (their text as read), as of this staging:
    written in the staging's transaction, so it names the files the staged rows came from."""
    con.execute("DELETE FROM spooled_files WHERE feed = ?", [feed.name])
    if landed.files:
        con.execute("INSERT INTO spooled_files SELECT ?, unnest(?), unnest(?)",
                    [feed.name, landed.files, [str(part.resolve()) for part in landed.parts]])


def prune_spool_cache(feed: Feed, landed: Landed) -> None:
    """Remove the kept spooled files of landing files gone or changed since: after the staging that
    replaced their rows is committed (a refused file leaves the staged rows and their files)."""
    if landed.cache is None or _is_process_spool(landed.cache.parent):
        return  # another connection of this process may still read them
    kept = {part.stem for part in landed.parts}
    for old in landed.cache.glob(f"{feed.name}-*.parquet"):
        if old.stem not in kept:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def files_gone(con: duckdb.DuckDBPyConnection, feed: Feed, now: set[str]) -> list[tuple[str, int]]:
    """The landing files staged before and absent now, with the rows staged from each: a feed's
    file gone (a failed export, a file moved away) took its rows out of the scores with nothing
    said while the feed kept other files (hostile review)."""
    if not feed.is_folder or not table_exists(con, f"stg_{feed.name}"):
        return []
    return [tuple(r) for r in con.execute(
        f"""SELECT _source_file, count(*) FROM stg_{feed.name}
            WHERE NOT list_contains(?, _source_file) GROUP BY 1 ORDER BY 1""", [sorted(now)]).fetchall()]


def keep_rows_of_gone_files(con: duckdb.DuckDBPyConnection, feed: Feed, gone: list[str]) -> None:
    """Before restaging: the typed-value fingerprints of the rows of files gone since the last
    staging (files_gone), in the temp table `gone_rows`, for gone_rows_still_read after it."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE gone_rows AS SELECT _source_file, _fingerprint FROM stg_{feed.name} "
                "WHERE list_contains(?, _source_file)", [gone])


def gone_rows_still_read(con: duckdb.DuckDBPyConnection, feed: Feed) -> dict[str, tuple[int, list[str]]]:
    """After restaging: per gone file, how many of its rows are read from the files there now (the
    same typed values), and from which: a file renamed or split is told apart from one lost (its
    rows no longer count), where both once got the same warning."""
    found = con.execute(
        f"""SELECT g._source_file, count(*) FILTER (WHERE s.files IS NOT NULL), list_sort(list_distinct(flatten(list(s.files))))
            FROM gone_rows g LEFT JOIN (SELECT _fingerprint, list_distinct(list(_source_file)) AS files
                                        FROM stg_{feed.name} GROUP BY 1) s USING (_fingerprint)
            GROUP BY 1""").fetchall()
    con.execute("DROP TABLE IF EXISTS gone_rows")
    return {file: (n, files or []) for file, n, files in found}


def spooled_files_missing(con: duckdb.DuckDBPyConnection, feed: Feed) -> bool:
    """Whether a spooled file the staged rows came from is gone (its folder deleted, the database
    copied elsewhere): staging must then spool again, or quarantine could not show rows as read."""
    if not table_exists(con, "spooled_files"):
        return True
    parts = con.execute("SELECT part FROM spooled_files WHERE feed = ?", [feed.name]).fetchall()
    return any(not Path(p).is_file() for (p,) in parts)


# In-memory databases (`trustcard validate`, tests) spool to a temporary folder of the process,
# one per landing folder, removed when the process exits. Connections of one process may share it
# (threads): it is neither swept, pruned nor removed while the process lives.
_PROCESS_SPOOLS: dict[str, tempfile.TemporaryDirectory] = {}
_PROCESS_SPOOLS_LOCK = threading.Lock()


PROCESS_SPOOL_PREFIX = "trustcard-spool-"  # + the process id and a random part


def _remove_spools_of_dead_processes() -> None:
    """A process killed before it exits leaves its spool folder behind: removed by the next one."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PROCESS_SPOOL_PREFIX}*-*"):
        pid = folder.name[len(PROCESS_SPOOL_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


def _is_process_spool(parent: Path | None) -> bool:
    return parent is not None and any(parent == Path(t.name) for t in list(_PROCESS_SPOOLS.values()))


def _spool_parent(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> Path:
    """Where to spool: beside the database file, on the disk sized for the data (a feed's text can
    be gigabytes; /tmp is often small); the system's temporary folder for an in-memory database."""
    files = [Path(f) for _, name, f in con.execute("PRAGMA database_list").fetchall() if f and name != "temp"]
    if not files:
        key = fingerprint("process spool", str(landing_dir.resolve()))
        with _PROCESS_SPOOLS_LOCK:
            if key not in _PROCESS_SPOOLS:
                _remove_spools_of_dead_processes()
                _PROCESS_SPOOLS[key] = tempfile.TemporaryDirectory(prefix=f"{PROCESS_SPOOL_PREFIX}{os.getpid()}-")
            return Path(_PROCESS_SPOOLS[key].name)
    parent = files[0].parent / f"{files[0].name}.spool"
    parent.mkdir(parents=True, exist_ok=True)  # removed when left empty (no file of the feed spooled)
    # Staging holds the database's writer lock, so a spool found here was left by a killed run.
    for stale in parent.glob("trustcard-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return parent


def spool_feed(landing_dir: Path, feed: Feed, spool: Path, cache: Path | None = None) -> tuple[Landed, list[Path]]:
    """Read the files one at a time and spool each as all-text Parquet, which DuckDB then streams:
    memory holds one file, and a scan of the spool is several times faster than inserting file
    after file into a table. With a `cache` folder, a file already spooled with the same name,
    size, times and inode (and the same trustcard code) is not read again: a late file costs its
    own reading, not the feed's. Returns what was landed and the Parquet files to scan."""
    empty = spool / "0.parquet"
    empty_frame(feed).write_parquet(empty)  # the view's columns, with or without files
    files, parts, rows, blanks = [], [empty], 0, 0
    paths = landing_files(landing_dir, feed)
    # Polars reads and writes outside the GIL: one file per core at a time (24 Parquet files of
    # 10M deliveries: 20 -> 11 s on 2 cores), still a file or two in memory, not the feed.
    with ThreadPoolExecutor(max_workers=SPOOL_WORKERS) as pool:
        spooled = list(pool.map(lambda job: _spooled_or_refused(landing_dir, job[1], feed, cache,
                                                                spool / f"{job[0]}.parquet"),
                                enumerate(paths, start=1)))
    refused = [result for result in spooled if isinstance(result, LandingError)]
    if refused:
        raise refused[0] if len(refused) == 1 else _every_refusal(refused)
    for path, (part, n, skipped) in zip(paths, spooled):
        files.append(path.relative_to(landing_dir).as_posix())
        parts.append(part)
        rows, blanks = rows + n, blanks + skipped
    return Landed(files, rows, blanks, parts[1:], cache), parts


def _spooled_or_refused(landing_dir: Path, path: Path, feed: Feed, cache: Path | None,
                        scratch: Path) -> tuple[Path, int, int] | LandingError:
    try:
        return _spooled(landing_dir, path, feed, cache, scratch)
    except LandingError as exc:
        return exc


def _every_refusal(refused: list[LandingError], shown: int = 4) -> LandingError:
    """The first file's refusal, naming the others too: fixing an export one file per run took as
    many runs (and `trustcard validate`s) as it had bad files (review)."""
    first, more = refused[0], refused[1:]
    others = "; ".join(str(exc) for exc in more[:shown]) + (f"; and {len(more) - shown} more" if len(more) > shown else "")
    return LandingError(first.file, f"{first.message} (also refused: {others})", column=first.column, line=first.line)


def _spooled(landing_dir: Path, path: Path, feed: Feed, cache: Path | None, scratch: Path) -> tuple[Path, int, int]:
    """(Parquet file of the landing file's text rows, rows, blank lines), from the cache if there."""
    if cache is None:
        frame, skipped = read_file(landing_dir, path, feed)
        frame.write_parquet(scratch, compression="lz4", statistics=False)
        return scratch, frame.height, skipped
    st = path.stat()
    key = fingerprint("spool", feed.name, path.relative_to(landing_dir).as_posix(),
                      st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    part, meta = cache / f"{feed.name}-{key}.parquet", cache / f"{feed.name}-{key}.json"
    if part.exists() and meta.exists():
        counts = json.loads(meta.read_text())
        return part, counts["rows"], counts["blank_lines"]
    frame, skipped = read_file(landing_dir, path, feed)
    cache.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(scratch, compression="lz4", statistics=False)
    # Whole or not at all, the counts after the rows: a killed run leaves no half-written entry, and
    # another staging of the same folder (threads of one process) never reads one.
    written = scratch.with_suffix(".json")
    written.write_text(json.dumps({"rows": frame.height, "blank_lines": skipped}))
    os.replace(scratch, part)
    os.replace(written, meta)
    return part, frame.height, skipped


def stage_feed(con: duckdb.DuckDBPyConnection, landing_dir: Path, feed: Feed, start: date, end: date,
               previous: dict[str, list[int]] | None = None) -> StageSummary:
    """Stage the feed's rows of months [start, end). With `previous` (the file signatures the
    staged table was last built from, by this same code), a feed of RESTAGEABLE rows restages
    only the files added, changed or removed since."""
    prepare(con)
    table = f"stg_{feed.name}"
    where, args = month_filter(feed.is_folder, start, end)  # the vendor list is replaced whole
    signatures = file_signatures(landing_dir, feed)
    changed = _changed_files(con, feed, previous, signatures, (start, end))
    with landing_view(con, landing_dir, feed, only=changed) as landed:
        con.execute(f"CREATE OR REPLACE TEMP VIEW staged_new AS {load_sql(f'staged/{table}')}")
        try:
            if changed is not None:
                in_window = _restage_files(con, feed, sorted(changed), landed)
            else:
                ensure_table_like(con, table, "staged_new")
                # Typed straight into the table; a file refused as a whole rolls the write back.
                with transaction(con, table):
                    list_spooled_files(con, feed, landed)
                    con.execute(f"DELETE FROM {table} WHERE {where}", args)
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_new WHERE {where}", args)
                    if feed.name in KEYED:
                        judge_duplicates(con, feed, f"SELECT _key FROM ({repeated_keys_sql(table, feed, 'true')})", [])
                    refuse_wrongly_typed_columns(con, feed, where, args)
                    refuse_files_without_a_readable_row(con, feed, where, args)
                    in_window = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", args).fetchone()[0]
        finally:
            con.execute("DROP VIEW IF EXISTS staged_new")
        prune_spool_cache(feed, landed)
    return StageSummary(feed.name, landed.files, landed.rows, in_window, landed.blank_lines, signatures)


def _changed_files(con: duckdb.DuckDBPyConnection, feed: Feed, previous: dict[str, list[int]] | None,
                   now: dict[str, list[int]], window: tuple[date, date]) -> set[str] | None:
    """The files to restage (added, changed or removed since `previous`), or None to stage the
    whole feed: no earlier staging by this code, a feed whose rows depend on other files, a
    window short of every month, or a table missing."""
    if previous is None or feed.name not in RESTAGEABLE or window != ALL_MONTHS:
        return None
    if not table_exists(con, f"stg_{feed.name}"):
        return None
    return {name for name in set(previous) | set(now) if previous.get(name) != now.get(name)}


def _restage_files(con: duckdb.DuckDBPyConnection, feed: Feed, files: list[str], landed: Landed) -> int:
    """Replace the rows of `files` in the staged table with the view `staged_new` (their rows
    now; none for a removed file), then judge the duplicate status of every key they held or hold
    again across all files. The same rows as staging the whole feed, at the cost of the files."""
    table, key, only = f"stg_{feed.name}", feed.key, "list_contains(?, _source_file)"
    with transaction(con, table):
        list_spooled_files(con, feed, landed)
        con.execute(f"CREATE OR REPLACE TEMP TABLE keys_before AS SELECT DISTINCT {key} AS _key "
                    f"FROM {table} WHERE {only} AND {key} IS NOT NULL", [files])
        con.execute(f"DELETE FROM {table} WHERE {only}", [files])
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM staged_new")
        judge_duplicates(con, feed, f"SELECT _key FROM keys_before UNION SELECT {key} FROM {table} "
                                    f"WHERE {only} AND {key} IS NOT NULL", [files])
        con.execute("DROP TABLE keys_before")
        refuse_wrongly_typed_columns(con, feed, only, [files])
        refuse_files_without_a_readable_row(con, feed, only, [files])
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def judge_duplicates(con: duckdb.DuckDBPyConnection, feed: Feed, keys_sql: str, args: list) -> None:
    """Set the duplicate status and places of the staged rows whose key `keys_sql` selects, judged
    across every file in `stg_<feed>`: 'first' for a key held once (or the first of equal copies),
    'duplicate' for a later equal copy, 'conflict' for copies whose typed values differ."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE affected_keys AS {keys_sql}", args)
    table = f"stg_{feed.name}"
    con.execute(load_sql("staged/duplicates_judged_again").format(
        table=table, key=feed.key, repeated=repeated_keys_sql(table, feed, "{key} IN (SELECT _key FROM affected_keys)")))
    con.execute("DROP TABLE affected_keys")


def repeated_keys_sql(table: str, feed: Feed, keys: str) -> str:
    """staged/repeated_keys.sql over `table` (a table or view of staged rows of a KEYED feed), for
    the keys `keys` selects ('{key}' stands for the key column)."""
    return load_sql("staged/repeated_keys").format(table=table, key=feed.key, keys=keys.format(key=feed.key))


def refuse_files_without_a_readable_row(con: duckdb.DuckDBPyConnection, feed: Feed, where: str, args: list) -> None:
    """Raise LandingError for a file of at least WHOLE_COLUMN_MIN_VALUES rows none of which could
    be read as a record (undecodable bytes on every line: the wrong encoding; every row with the
    wrong number of fields): a file that cannot be read at all stops the run instead of sending
    every row to quarantine while the month is scored without it."""
    broken = con.execute(
        f"""SELECT _source_file, count(*) AS n, min(_row_number) AS first_line,
                  arg_min(_row_error.why, _row_number) AS why, arg_min(_row_error.col, _row_number) AS col
           FROM stg_{feed.name} WHERE {where} GROUP BY _source_file
           HAVING count(*) >= ? AND count(_row_error) = count(*) ORDER BY _source_file LIMIT 1""",
        [*args, WHOLE_COLUMN_MIN_VALUES]).fetchone()
    if broken:
        source, n, first_line, why, col = broken
        # A Parquet file has no delimiter and no text encoding of its own: its column is the cause
        # (review: "wrong encoding or delimiter?" for a Parquet column of bytes, naming no column).
        parquet = source.lower().endswith(".parquet")
        hint = f"column '{col}' holds bytes that are not text?" if parquet and col else "wrong encoding or delimiter?"
        raise LandingError(source, f"not one of its {n} rows can be read ({why}): {hint}", line=first_line)


def refuse_wrongly_typed_columns(con: duckdb.DuckDBPyConnection, feed: Feed, where: str, args: list) -> None:
    """Raise LandingError when a file's typed column has values, in at least half its rows, and not
    one of them parses (the rows just staged into `stg_<feed>` against the text in the view
    `landing`). A column filled in a few rows of many (3 bad severities among 60 rows that leave it
    empty) is a few bad rows, quarantined, not a file written in the wrong format."""
    failures = con.execute(
        f"""SELECT _source_file, _parse_problem.col AS col, count(*) AS n, min(_row_number) AS first_line,
                  arg_min(_parse_problem.why, _row_number) AS why
           FROM stg_{feed.name} WHERE {where} AND _parse_problem IS NOT NULL GROUP BY ALL ORDER BY ALL""", args
    ).fetchall()
    for source, col, n, first_line, why in failures:
        if col not in feed.column_names:  # names come from the staging SQL; checked before use as identifiers
            continue
        values, rows = con.execute(f'SELECT count(*) FILTER (WHERE given("{col}")), count(*) FROM landing '
                                   "WHERE _source_file = ?", [source]).fetchall()[0]
        if values >= WHOLE_COLUMN_MIN_VALUES and n >= values and 2 * values >= rows:
            raise LandingError(
                source, f"none of its {values} values parses ({why}): wrong format or wrong column?",
                column=col, line=first_line,
            )


def refuse_a_feed_gone_empty(con, step: str, feed: Feed, has_files: bool) -> None:
    """A feed folder that held files at the last staging and holds none now (gone, emptied) is far
    more often a failed export or mount than a feed that ended: read as it is, every month's
    figures of that feed would be replaced by nothing, and the run would succeed. Refuse; a feed
    that is really empty now says so with a file holding only its header."""
    before = last_detail(con, f"landed:{feed.name}") or last_detail(con, step) or {}
    if not feed.is_folder or not before.get("rows_read") or has_files:
        return
    files = before.get("files") or []
    names = ", ".join(files[:3]) + (", …" if len(files) > 3 else "")
    raise LandingError(feed.path, f"no landing files, but the last run read {before['rows_read']:,} rows from "
                                  f"{len(files)} file(s) ({names}); read as it is, every month's {feed.name} would "
                                  f"be replaced by none. If the feed is empty now, leave a CSV file holding only "
                                  f"its header in {feed.path}/")
