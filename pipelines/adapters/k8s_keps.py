"""Kubernetes enhancement proposals (KEP) history -> ``announcements/k8s_keps.csv``.

A KEP's ``milestone_stable`` is a public promise: "this goes GA in release vX.Y". The
adapter replays each KEP's versions in commit order and writes the announcement event log:
``announced`` (first GA promise), ``revised`` (each change of the promised release),
``shipped`` (implemented at stage stable) and ``cancelled`` (withdrawn, rejected, replaced).

Row accounting (``rows_in == rows_landed + len(unmappable)``): a source row is one KEP
version. A version is *landed* when it is part of an open announcement's history: it
either produced an event or restated the promise in force (collapsed into that event).
Every other version is unmappable with its reason: no KEP behind it, no GA promise made
yet, no usable milestone, or after the announcement closed. See ``docs/real-data.md``.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from ._common import (
    ImportReport,
    SourceRow,
    Unmappable,
    VendorBook,
    clean_text,
    locate,
    merge_vendors,
    read_source,
    write_csv,
)

SOURCE = "k8s-keps"
VENDOR_PREFIX = "k8s"
FILE_NAME = "k8s_kep_milestone_history.csv"
RELEASES_FILE = "k8s_release_dates.csv"
OUTPUT = Path("announcements") / "k8s_keps.csv"
COLUMNS = ("announcement_id", "vendor_id", "product", "event", "event_date", "promised_ship_date", "presold")
REQUIRED = (
    "kep_number", "title", "owning_sig", "path", "commit_date", "status", "stage", "milestone_stable",
)  # fmt: skip
VENDOR_CATEGORY = "kubernetes-sig"
# Kubernetes ships a minor release about every four months (three a year since v1.22).
CADENCE_MONTHS = 4

# Spelling slips seen in the history, mapped to what the authors meant.
STATUS_FIXES = {"implementeable": "implementable", "implementables": "implementable", "imlpemented": "implemented"}
STAGE_FIXES = {"ga": "stable"}
# The promised GA will not come from this KEP: withdrawn/rejected, or superseded by another KEP.
CANCELLING = frozenset({"withdrawn", "rejected", "replaced", "superseded", "removed"})
SIG_FIXES = {"sig-apimachinery": "sig-api-machinery", "api-machinery": "sig-api-machinery"}
TEMPLATE_SIG = "sig-xyz"
TEMPLATE_TITLE = "KEP Template"
NEVER_PROMISED = "no GA milestone ever promised (no version names a release from the table on)"
MILESTONE = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


# --- releases -----------------------------------------------------------------------------


def _parse_milestone(text: str) -> tuple[int, int] | None:
    """``v1.23``, ``1.23`` and ``v1.22.0`` are releases; ``TBD``, ``x.y``, ``v1.yy``, empty are not."""
    match = MILESTONE.fullmatch(text.strip().lower())
    return (int(match[1]), int(match[2])) if match else None


def _label(version: tuple[int, int]) -> str:
    return f"v{version[0]}.{version[1]}"


def _add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class ReleaseCalendar:
    """Release dates from the table; later minors estimated on the four-month cadence."""

    released: dict[tuple[int, int], date]
    estimated_used: set[str] = field(default_factory=set)

    @classmethod
    def from_csv(cls, path: Path) -> ReleaseCalendar:
        table = read_source(path, ("version", "released_on"))
        released: dict[tuple[int, int], date] = {}
        for number, row in table.rows:
            version = _parse_milestone(row["version"])
            if version is None:
                raise ValueError(f"{path} row {number}: version {row['version']!r} is not a release")
            released[version] = date.fromisoformat(row["released_on"].strip())
        if not released:
            raise ValueError(f"{path}: no releases")
        return cls(released)

    @property
    def last(self) -> tuple[int, int]:
        return max(self.released)

    def is_released(self, version: tuple[int, int]) -> bool:
        return version in self.released

    def date_of(self, version: tuple[int, int]) -> date:
        """Release date of a promisable milestone; raises Unmappable for one before the table."""
        if version in self.released:
            return self.released[version]
        first, last = min(self.released), self.last
        if version[0] == last[0] and version[1] > last[1]:
            self.estimated_used.add(_label(version))
            return _add_months(self.released[last], CADENCE_MONTHS * (version[1] - last[1]))
        reason = f"before {_label(first)}, the first release in the table" if version < first else "not in the table"
        raise Unmappable(f"milestone_stable {_label(version)!r} has no release date ({reason})")


# --- versions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    row: int
    kep: int
    title: str
    sig: str
    committed: datetime  # UTC
    status: str
    stage: str
    milestone_raw: str

    @property
    def is_shipped(self) -> bool:
        return self.status == "implemented" and self.stage == "stable"

    @property
    def is_cancelled(self) -> bool:
        return self.status in CANCELLING


def _kep_number(row: dict[str, str], numbers_by_path: dict[str, set[int]]) -> int:
    """The KEP number (its last one, when renumbered: see _numbers_by_path), or the one the same
    file carries in its other versions when left empty."""
    text = row["kep_number"].strip()
    known = numbers_by_path.get(row["path"].strip(), set())
    if text.isdigit() and int(text) > 0:
        return next(iter(known)) if len(known) == 1 else int(text)
    if not text and len(known) == 1:
        return next(iter(known))
    raise Unmappable(f"no KEP number (kep_number {row['kep_number']!r})")


def _to_version(number: int, row: dict[str, str], numbers_by_path: dict[str, set[int]]) -> Version:
    if not row["path"].strip().startswith("keps/"):
        raise Unmappable("test fixture of the KEP tooling (path outside keps/), not a KEP")
    # The template itself (its SIG sig-xyz, its folder NNNN-kep-template). A real KEP's file whose
    # author had not yet replaced the template's title is kept, untitled: dropping it lost real
    # first promises (kep-3673's v1.29 and three slips) and kept promises of four SIGs (review).
    if row["owning_sig"].strip() == TEMPLATE_SIG or "kep-template" in row["path"].strip().lower():
        raise Unmappable("KEP template placeholder content, not a proposal")
    kep = _kep_number(row, numbers_by_path)
    try:
        committed = datetime.fromisoformat(row["commit_date"].strip()).astimezone(timezone.utc)
    except ValueError:
        raise Unmappable(f"commit_date {row['commit_date']!r} is not an ISO timestamp") from None
    status = row["status"].strip().lower()
    stage = row["stage"].strip().lower()
    sig = row["owning_sig"].strip().lower()
    return Version(
        row=number,
        kep=kep,
        title="" if row["title"].strip() == TEMPLATE_TITLE else clean_text(row["title"]),
        sig=SIG_FIXES.get(sig, sig),
        committed=committed,
        status=STATUS_FIXES.get(status, status),
        stage=STAGE_FIXES.get(stage, stage),
        milestone_raw=row["milestone_stable"].strip(),
    )


def _numbers_by_path(rows: list[SourceRow]) -> dict[str, set[int]]:
    """The KEP number of each file. A KEP renumbered in place (keps/sig-node/1797-configure-fqdn...
    carried 1792, then 1797) is one proposal: numbers that share a file are one KEP, known by the
    number of its latest version, and every file of it (a KEP moved between SIGs keeps its number)
    maps to that one number."""
    dated: dict[str, list[tuple[datetime, int]]] = {}
    for _, row in rows:
        text = row["kep_number"].strip()
        if text.isdigit() and int(text) > 0:
            try:
                when = datetime.fromisoformat(row["commit_date"].strip()).astimezone(timezone.utc)
            except ValueError:
                when = datetime.min.replace(tzinfo=timezone.utc)
            dated.setdefault(row["path"].strip(), []).append((when, int(text)))
    group: dict[int, int] = {}  # union-find over numbers that share a file
    def root(n: int) -> int:
        while group.setdefault(n, n) != n:
            n = group[n]
        return n
    for versions in dated.values():
        first = root(versions[0][1])
        for _, number in versions[1:]:
            group[root(number)] = first
    latest: dict[int, tuple[datetime, int]] = {}
    for versions in dated.values():
        for when, number in versions:
            r = root(number)
            latest[r] = max(latest.get(r, (when, number)), (when, number))
    return {path: {latest[root(n)][1] for _, n in versions} for path, versions in dated.items()}


# --- one KEP's history -> events ------------------------------------------------------------


@dataclass
class Event:
    event: str
    event_date: date
    promise: tuple[int, int] | None = None
    promised_date: date | None = None


@dataclass
class KepOutcome:
    events: list[Event] = field(default_factory=list)
    landed: list[int] = field(default_factory=list)
    unmappable: list[tuple[int, str]] = field(default_factory=list)
    announcer: Version | None = None


class _KepReplay:
    """Replays one KEP's versions (commit order) into events, accounting for every version."""

    def __init__(self, versions: list[Version], releases: ReleaseCalendar) -> None:
        self.versions = versions
        self.releases = releases
        self.out = KepOutcome()
        self.promise: tuple[int, int] | None = None
        self.closed_by: Event | None = None
        self.unpromised_reason = ""

    def run(self) -> KepOutcome:
        for version in self.versions:
            try:
                self._step(version)
            except Unmappable as err:
                self.out.unmappable.append((version.row, str(err)))
        if self.out.announcer is None:
            # Nothing was promised: none of the KEP's versions belongs to an announcement.
            reason = self.unpromised_reason or NEVER_PROMISED
            self.out = KepOutcome(unmappable=[(v.row, reason) for v in self.versions])
        return self.out

    def _usable(self, version: Version) -> tuple[tuple[int, int], date] | None:
        """The promised release and its date; None for an empty field or a placeholder like TBD.

        Raises Unmappable for a release without a date (before the table starts).
        """
        milestone = _parse_milestone(version.milestone_raw)
        if milestone is None:
            return None
        return milestone, self.releases.date_of(milestone)

    def _step(self, version: Version) -> None:
        if self.closed_by is not None:
            raise Unmappable(f"after the announcement closed ({self.closed_by.event} '{self.closed_by.event_date}')")
        if self.promise is None:
            self._first_promise(version)
        elif version.is_cancelled:
            self._close(Event("cancelled", version.committed.date()))
        else:
            self._update(version)
        self.out.landed.append(version.row)

    def _first_promise(self, version: Version) -> None:
        stated = self._usable(version)
        if stated is None:
            raise Unmappable(f"before the first GA promise of the KEP (milestone_stable {version.milestone_raw!r})")
        if version.is_shipped or version.is_cancelled:
            self._not_a_promise(f"GA milestone first named when the KEP was already {version.status}")
        if stated[1] < version.committed.date():
            # Naming a release that is already out records the past; it promises nothing.
            self._not_a_promise(f"GA milestone first named after its release ('{_label(stated[0])}' out '{stated[1]}')")
        self.promise = stated[0]
        self.out.announcer = version
        self._emit(Event("announced", version.committed.date(), stated[0], stated[1]))

    def _not_a_promise(self, why: str) -> None:
        """Refuse this version; if the KEP never promises later, all its versions get this reason."""
        self.unpromised_reason = self.unpromised_reason or f"{why}: a record, not a promise"
        raise Unmappable(f"{why}: a record, not a promise")

    def _update(self, version: Version) -> None:
        assert self.promise is not None
        no_release = f"milestone_stable {version.milestone_raw!r} names no release: the standing promise is unchanged"
        try:
            stated = self._usable(version)
        except Unmappable as err:
            stated, no_release = None, f"{err}: the standing promise is unchanged"
        if stated is not None and stated[0] != self.promise:
            self.promise = stated[0]
            self._emit(Event("revised", version.committed.date(), stated[0], stated[1]))
        if version.is_shipped and self.releases.is_released(self.promise) and (
                self.releases.released[self.promise] <= version.committed.date() or version is self.versions[-1]):
            # Shipped when its GA release came out; the commit marking it often lags by weeks. One
            # marking it before that release was out is a plan: a later version says whether it
            # shipped there (real data: kep-563 marked implemented for v1.22 in May 2021, re-dated
            # to v1.23 and shipped in it, was read as shipped on time in v1.22).
            self._close(Event("shipped", self.releases.released[self.promise]))
        elif stated is None:
            raise Unmappable(no_release)

    def _close(self, event: Event) -> None:
        self.closed_by = event
        self._emit(event)

    def _emit(self, event: Event) -> None:
        """Append, collapsing same-day statements into the day's last word (one PR, several commits)."""
        events = self.out.events
        if events and event.event == "revised" and events[-1].event in ("announced", "revised"):
            previous = events[-1]
            if previous.event_date == event.event_date:
                previous.promise, previous.promised_date = event.promise, event.promised_date
                if previous.event == "revised" and len(events) > 1 and events[-2].promise == previous.promise:
                    events.pop()  # changed and changed back within the day: no slip
                return
        events.append(event)


# --- import -------------------------------------------------------------------------------


def _product_title(announcer: Version, versions: list[Version], kep: int) -> str:
    """The announcing version's title, else the latest title the file was given (a file still
    titled as the template when the promise was made), else its number."""
    if announcer.title:
        return announcer.title
    titled = [v for v in versions if v.title]
    return max(titled, key=lambda v: (v.committed, v.row)).title if titled else f"KEP {kep}"


def _event_row(kep: int, vendor_id: str, product: str, event: Event) -> dict[str, str]:
    return {
        "announcement_id": f"kep-{kep}",
        "vendor_id": vendor_id,
        "product": product,
        "event": event.event,
        "event_date": event.event_date.isoformat(),
        "promised_ship_date": event.promised_date.isoformat() if event.promised_date else "",
        # Kubernetes is free: nobody could pay for a feature before it shipped.
        "presold": "false",
    }


def _group_versions(rows: list[SourceRow], report: ImportReport) -> dict[int, list[Version]]:
    numbers_by_path = _numbers_by_path(rows)
    by_kep: dict[int, list[Version]] = {}
    for number, row in rows:
        try:
            version = _to_version(number, row, numbers_by_path)
        except Unmappable as err:
            report.unmappable.append((number, str(err)))
            continue
        by_kep.setdefault(version.kep, []).append(version)
    for versions in by_kep.values():
        versions.sort(key=lambda v: (v.committed, v.row))  # offsets differ: order by the UTC instant
    return by_kep


def import_k8s_keps(source_path: Path, landing_dir: Path) -> list[ImportReport]:
    path = locate(source_path, FILE_NAME)
    if not (path.parent / RELEASES_FILE).is_file():  # review: a bare "[Errno 2] ... k8s_release_dates.csv"
        raise FileNotFoundError(f"{path.parent / RELEASES_FILE}: missing; the KEP history needs the release calendar "
                                f"beside it ({RELEASES_FILE}: each release's date), in the same folder as {path.name}")
    releases = ReleaseCalendar.from_csv(path.parent / RELEASES_FILE)
    table = read_source(path, REQUIRED)
    report = ImportReport(SOURCE, path, rows_in=len(table.rows) + len(table.malformed))
    report.unmappable.extend(table.malformed)
    vendors = VendorBook(VENDOR_PREFIX)
    out_rows: list[dict[str, str]] = []
    event_counts: Counter[str] = Counter()
    owner_changes = 0
    for kep, versions in sorted(_group_versions(table.rows, report).items()):
        outcome = _KepReplay(versions, releases).run()
        report.unmappable.extend(outcome.unmappable)
        report.rows_landed += len(outcome.landed)
        if outcome.announcer is None:
            continue
        # The SIG that made the promise answers for it, even if ownership moved later.
        announcer = outcome.announcer
        vendor_id = vendors.add(announcer.sig, VENDOR_CATEGORY)
        owner_changes += any(v.sig != announcer.sig for v in versions if v.row in outcome.landed)
        out_rows += [_event_row(kep, vendor_id, _product_title(announcer, versions, kep), event)
                     for event in outcome.events]
        event_counts.update(event.event for event in outcome.events)
    report.unmappable.sort()
    write_csv(landing_dir / OUTPUT, COLUMNS, out_rows)
    added = merge_vendors(landing_dir, vendors.rows())
    _add_notes(report, event_counts, releases, owner_changes, len(vendors.rows()), added)
    return [report]


def _add_notes(
    report: ImportReport, events: Counter[str], releases: ReleaseCalendar, owner_changes: int, sigs: int, added: int
) -> None:
    counts = ", ".join(f"{events[name]} {name}" for name in ("announced", "revised", "shipped", "cancelled"))
    report.notes += [
        f"{sum(events.values())} events written ({counts}) from {report.rows_landed} landed versions: "
        "versions restating the promise in force, or same-day edits, are collapsed into their event",
        "announced/revised event_date = commit date in UTC; promised_ship_date = release date of milestone_stable",
        "shipped event_date = release date of the GA milestone (the commit marking it often lags by weeks); "
        "implemented+stable for a release not out yet is not shipped yet",
        "cancelled = status withdrawn, rejected, replaced, superseded or removed; event_date = commit date",
        "milestones normalised (1.23 -> v1.23, v1.22.0 -> v1.22); TBD, x.y, v1.yy, never and empty name no release",
        f"vendor = owning_sig of the announcing version ({owner_changes} announcements changed owner later); "
        f"category {VENDOR_CATEGORY}; {sigs} SIGs ({added} new in vendors.csv)",
        "product = title of the announcing version; presold = false (Kubernetes is free)",
    ]
    if releases.estimated_used:
        estimated = ", ".join(sorted(releases.estimated_used, key=lambda label: _parse_milestone(label) or (0, 0)))
        report.notes.append(
            f"release dates estimated ({_label(releases.last)} + {CADENCE_MONTHS} months per minor) for {estimated}"
        )
