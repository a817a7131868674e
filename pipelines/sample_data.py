"""Deterministic sample landing data for trustcard's demo and tests.

`generate()` fills a landing folder with the four feeds of docs/data-contract.md: about forty
fictional vendors, 24 months of deliveries, complaints and product-announcement events. Every
row is valid under the contract; the interesting part is that each vendor follows an archetype
(reliable, chronically late, vaporware, good and bad recovery from an incident, slow decline,
tiny, no announcements, our own company) that is plainly recognisable in a monthly scorecard.

Determinism: every random draw comes from a `random.Random` seeded with a string built from
the seed, a vendor id and a purpose, so the same arguments give byte-identical files and one
vendor's stream does not shift when another vendor changes. Nothing reads the clock.

The data's "as of" is the last day of `last_month`: nothing that happens (delivered_date,
acknowledged_at, resolved_at, event_date) is later. Promises may point past it:
promised_resolution_at of a recently acknowledged complaint and promised_ship_date of an
announcement not yet due are promises about the future, as in a real export.

Files written (existing feed folders and vendors.csv are replaced; nothing else is touched):
    vendors.csv
    deliveries/deliveries_YYYYQn.csv    one per calendar quarter, by promised_date ...
    deliveries/deliveries_YYYYQn.parquet  ... except the middle quarter, written as Parquet
                                           with proper types (String ids, Date dates,
                                           Float64 quantities and order_value, nulls for blanks)
    complaints/complaints_YYYY.csv       one per year of opened_at (UTC)
    announcements/announcement_events_YYYY.csv   one per year of event_date

CLI: python -m pipelines.sample_data LANDING_DIR [--last-month YYYY-MM] [--months N]
"""
from __future__ import annotations

import argparse
import calendar
import csv
import io
import itertools
import math
import random
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import polars as pl

DEFAULT_SEED = 20261031
DEFAULT_LAST_MONTH = date(2026, 10, 1)

VENDOR_COLUMNS = ("vendor_id", "vendor_name", "category", "is_self", "report_recipients")
DELIVERY_COLUMNS = (
    "delivery_id", "vendor_id", "promised_date", "delivered_date",
    "qty_ordered", "qty_delivered", "qty_rejected", "order_value",
)
COMPLAINT_COLUMNS = (
    "complaint_id", "vendor_id", "opened_at", "acknowledged_at", "resolved_at",
    "promised_resolution_at", "severity", "category", "disclosed_by",
    "apologized", "explained", "restitution", "summary",
)
ANNOUNCEMENT_COLUMNS = (
    "announcement_id", "vendor_id", "product", "event", "event_date", "promised_ship_date", "presold",
)
FEED_DIRS = ("deliveries", "complaints", "announcements")

SEVERITIES = ("low", "medium", "high", "critical")
# Resolution time a vendor promises when it acknowledges a complaint, by severity.
PROMISE_BY_SEVERITY = {
    "low": timedelta(days=14), "medium": timedelta(days=7),
    "high": timedelta(days=3), "critical": timedelta(days=1),
}
# Ticket exports mostly say Z; a few rows carry the raiser's local offset (same instant).
LOCAL_OFFSETS = (timedelta(hours=2), timedelta(hours=1), timedelta(hours=-5), timedelta(hours=5, minutes=30))


# ---------------------------------------------------------------------------------------------
# Profiles: what kind of vendor each one is. One frozen dataclass instance per archetype.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeliveryStyle:
    on_time_start: float  # chance a delivery is on time in the first month ...
    on_time_end: float  # ... and in the last; linear in between (a slow decline drifts)
    monthly_jitter: float  # month-to-month noise on that chance
    late_days: tuple[int, int, int]  # triangular (low, mode, high) days late when late
    partial_rate: float  # delivered short
    over_rate: float  # delivered a little more than ordered
    reject_rate: float  # some of the delivered quantity fails inspection
    lost_rate: float  # never delivered at all: stays open past due forever

    def on_time(self, progress: float) -> float:
        return self.on_time_start + (self.on_time_end - self.on_time_start) * progress


@dataclass(frozen=True)
class ResponseStyle:
    """How a vendor handles a complaint once it is raised."""

    ack_median_hours: float
    ack_sigma: float  # log-normal spread of the time to acknowledge
    never_ack: float
    promise_rate: float  # promises a resolution date when acknowledging
    resolve_on_time: float  # of promised ones, resolved by the promised date
    overrun_days: tuple[int, int]  # how late the others are resolved
    never_resolve: float
    apologized: float
    explained: float
    restitution: float
    self_disclosed: float  # the vendor raised it before the customer found it
    resolve_within: tuple[float, float] = (0.2, 1.0)  # share of the promised window used when on time


@dataclass(frozen=True)
class ComplaintStyle:
    per_month: float  # baseline complaints a month regardless of volume (outages, billing)
    per_delivery: float  # complaints per delivery due (damage, wrong items, ...)
    per_late_delivery: float  # chance a late delivery turns into a "late delivery" complaint
    response: ResponseStyle


@dataclass(frozen=True)
class AnnouncementStyle:
    per_year: float  # announcements falling due per year
    lead_days: tuple[int, int]  # how long before the first promised ship date it is announced
    slips: tuple[int, int]  # min and max number of revisions
    slip_chance: float  # chance of each revision beyond the minimum
    slip_days: tuple[int, int]
    pull_in_chance: float  # a revision that moves the date earlier
    ship_offset_days: tuple[int, int]  # ship date relative to the last promised date
    cancel_chance: float
    presold_chance: float


@dataclass(frozen=True)
class Incident:
    """One bad month and what follows it; how it is handled is the point."""

    months_before_last: int
    on_time_curve: tuple[float, ...]  # on-time chance in the incident month and the ones after
    late_days: tuple[int, int, int]
    partial_rate: float
    burst: tuple[int, int]  # extra high/critical complaints in the incident month
    category: str  # only used by this incident, so a repeat is unambiguous
    summary: str
    response: ResponseStyle
    repeats_after: tuple[int, ...] = ()  # months after the incident when the same failure recurs
    repeat_burst: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Profile:
    archetype: str
    delivery: DeliveryStyle
    complaints: ComplaintStyle
    announcements: AnnouncementStyle | None
    incident: Incident | None = None
    never_ships_flagship: bool = False  # vaporware: one presold product that never ships


@dataclass(frozen=True)
class Vendor:
    vendor_id: str
    name: str
    category: str
    orders_per_month: tuple[int, int]
    profile: Profile
    recipients: str
    is_self: str  # as written: "true", "false" or "" (the contract's default, false)


GOOD_RESPONSE = ResponseStyle(
    ack_median_hours=3.0, ack_sigma=0.6, never_ack=0.0, promise_rate=0.95, resolve_on_time=0.92,
    overrun_days=(1, 3), never_resolve=0.0, apologized=0.8, explained=0.85, restitution=0.3,
    self_disclosed=0.4,
)
EXEMPLARY_RESPONSE = replace(
    GOOD_RESPONSE, ack_median_hours=1.5, ack_sigma=0.4, promise_rate=1.0, resolve_on_time=0.97,
    apologized=1.0, explained=1.0, restitution=0.95, self_disclosed=0.9,
)
POOR_RESPONSE = ResponseStyle(
    ack_median_hours=60.0, ack_sigma=0.5, never_ack=0.08, promise_rate=0.7, resolve_on_time=0.3,
    overrun_days=(3, 25), never_resolve=0.05, apologized=0.1, explained=0.15, restitution=0.02,
    self_disclosed=0.02,
)
STONEWALL_RESPONSE = replace(
    POOR_RESPONSE, ack_median_hours=90.0, ack_sigma=0.4, never_ack=0.1, resolve_on_time=0.1,
    overrun_days=(5, 30), never_resolve=0.1, apologized=0.0, explained=0.0, restitution=0.0,
    self_disclosed=0.0,
)

TECH_ANNOUNCEMENTS = AnnouncementStyle(
    per_year=10, lead_days=(30, 180), slips=(0, 2), slip_chance=0.3, slip_days=(14, 75),
    pull_in_chance=0.05, ship_offset_days=(-10, 21), cancel_chance=0.04, presold_chance=0.2,
)
OCCASIONAL_ANNOUNCEMENTS = AnnouncementStyle(
    per_year=1.5, lead_days=(30, 150), slips=(0, 1), slip_chance=0.2, slip_days=(14, 60),
    pull_in_chance=0.0, ship_offset_days=(-7, 14), cancel_chance=0.03, presold_chance=0.05,
)
PUNCTUAL_ANNOUNCEMENTS = replace(
    OCCASIONAL_ANNOUNCEMENTS, per_year=2, slips=(0, 0), ship_offset_days=(-14, 0), cancel_chance=0.0,
)
VAPOR_ANNOUNCEMENTS = AnnouncementStyle(
    per_year=3, lead_days=(365, 548), slips=(2, 4), slip_chance=0.6, slip_days=(60, 150),
    pull_in_chance=0.0, ship_offset_days=(0, 60), cancel_chance=0.25, presold_chance=0.5,
)

RELIABLE = Profile(
    archetype="reliable",
    delivery=DeliveryStyle(
        on_time_start=0.99, on_time_end=0.99, monthly_jitter=0.004, late_days=(1, 1, 2),
        partial_rate=0.003, over_rate=0.002, reject_rate=0.002, lost_rate=0.0,
    ),
    # Rare complaints, answered and fixed within hours.
    complaints=ComplaintStyle(
        per_month=0.1, per_delivery=0.003, per_late_delivery=0.05,
        response=replace(EXEMPLARY_RESPONSE, resolve_within=(0.02, 0.15)),
    ),
    announcements=PUNCTUAL_ANNOUNCEMENTS,
    # One serious slip the month before last, owned at once: the latest executive summary tells it
    # as its redemption story (the recovering archetypes stumble too early, or are graded below C,
    # so the demo's last months had none to tell).
    incident=Incident(
        months_before_last=1, on_time_curve=(0.97,), late_days=(1, 2, 3), partial_rate=0.003,
        burst=(1, 1), category="mislabelled pallets",
        summary="Pallets of order {lot} shipped with another customer's labels; vendor caught it and said so.",
        response=replace(EXEMPLARY_RESPONSE, resolve_on_time=1.0, self_disclosed=1.0, restitution=1.0),
    ),
)
CHRONICALLY_LATE = Profile(
    archetype="chronically late",
    delivery=DeliveryStyle(
        on_time_start=0.65, on_time_end=0.65, monthly_jitter=0.03, late_days=(2, 4, 12),
        partial_rate=0.08, over_rate=0.01, reject_rate=0.03, lost_rate=0.004,
    ),
    complaints=ComplaintStyle(
        per_month=0.5, per_delivery=0.02, per_late_delivery=0.12,
        response=replace(POOR_RESPONSE, ack_median_hours=20, resolve_on_time=0.6),
    ),
    announcements=None,
)
VAPORWARE = Profile(
    archetype="vaporware",
    delivery=DeliveryStyle(
        on_time_start=0.91, on_time_end=0.91, monthly_jitter=0.02, late_days=(1, 3, 9),
        partial_rate=0.03, over_rate=0.01, reject_rate=0.01, lost_rate=0.002,
    ),
    complaints=ComplaintStyle(
        per_month=3.0, per_delivery=0.03, per_late_delivery=0.15,
        response=replace(GOOD_RESPONSE, ack_median_hours=12, apologized=0.4),
    ),
    # Announces 12-18 months ahead, re-dates everything, pre-sells one product it never ships.
    announcements=VAPOR_ANNOUNCEMENTS,
    never_ships_flagship=True,
)
GOOD_RECOVERY = Profile(
    archetype="stumbles, recovers well",
    delivery=DeliveryStyle(
        on_time_start=0.95, on_time_end=0.95, monthly_jitter=0.015, late_days=(1, 2, 6),
        partial_rate=0.02, over_rate=0.01, reject_rate=0.01, lost_rate=0.001,
    ),
    complaints=ComplaintStyle(
        per_month=1.0, per_delivery=0.02, per_late_delivery=0.12,
        response=GOOD_RESPONSE,
    ),
    announcements=replace(TECH_ANNOUNCEMENTS, per_year=6),
    # Owns it: raises it itself, answers within hours, apologises, explains, fixes by the
    # promised date, pays restitution; deliveries climb back over three months; no repeat.
    incident=Incident(
        months_before_last=8, on_time_curve=(0.42, 0.72, 0.88), late_days=(3, 7, 16),
        partial_rate=0.2, burst=(18, 24), category="defective batch",
        summary="Boards from lot {lot} fail at power-on; vendor flagged the batch itself.",
        response=EXEMPLARY_RESPONSE,
    ),
)
BAD_RECOVERY = Profile(
    archetype="stumbles, recovers badly",
    delivery=DeliveryStyle(
        on_time_start=0.88, on_time_end=0.88, monthly_jitter=0.02, late_days=(1, 3, 10),
        partial_rate=0.05, over_rate=0.01, reject_rate=0.03, lost_rate=0.003,
    ),
    complaints=ComplaintStyle(
        per_month=1.0, per_delivery=0.03, per_late_delivery=0.15,
        response=POOR_RESPONSE,
    ),
    announcements=None,
    # Same kind of stumble, handled badly: customers find it, answers come after days with no
    # apology or explanation, promised dates are missed, and the same failure comes back.
    incident=Incident(
        months_before_last=8, on_time_curve=(0.40, 0.50, 0.58, 0.66, 0.72, 0.78), late_days=(4, 9, 20),
        partial_rate=0.25, burst=(18, 24), category="contaminated resin",
        summary="Resin lot {lot} contaminated; moulding line scrapped {n} parts.",
        response=STONEWALL_RESPONSE, repeats_after=(2, 4, 6), repeat_burst=(3, 6),
    ),
)
SLOW_DECLINE = Profile(
    archetype="slow decline",
    delivery=DeliveryStyle(
        on_time_start=0.97, on_time_end=0.75, monthly_jitter=0.0, late_days=(1, 3, 10),
        partial_rate=0.03, over_rate=0.01, reject_rate=0.015, lost_rate=0.002,
    ),
    complaints=ComplaintStyle(
        per_month=0.5, per_delivery=0.02, per_late_delivery=0.15,
        response=replace(GOOD_RESPONSE, ack_median_hours=10, resolve_on_time=0.75),
    ),
    announcements=None,
)
TINY = Profile(
    archetype="tiny",
    delivery=DeliveryStyle(
        on_time_start=0.9, on_time_end=0.9, monthly_jitter=0.0, late_days=(1, 2, 5),
        partial_rate=0.05, over_rate=0.0, reject_rate=0.02, lost_rate=0.0,
    ),
    complaints=ComplaintStyle(
        per_month=0.08, per_delivery=0.02, per_late_delivery=0.1,
        response=GOOD_RESPONSE,
    ),
    announcements=None,
)
SELF_PROFILE = Profile(
    archetype="our own company",
    delivery=DeliveryStyle(
        on_time_start=0.93, on_time_end=0.93, monthly_jitter=0.015, late_days=(1, 2, 7),
        partial_rate=0.03, over_rate=0.005, reject_rate=0.01, lost_rate=0.001,
    ),
    complaints=ComplaintStyle(
        per_month=2.0, per_delivery=0.03, per_late_delivery=0.15,
        response=replace(GOOD_RESPONSE, ack_median_hours=6),
    ),
    announcements=replace(TECH_ANNOUNCEMENTS, per_year=6),
)

# The bespoke archetypes by roster key; "ordinary" and "quiet" vendors are drawn per vendor.
ARCHETYPE_PROFILES = {
    "reliable": RELIABLE, "late": CHRONICALLY_LATE, "vaporware": VAPORWARE,
    "good_recovery": GOOD_RECOVERY, "bad_recovery": BAD_RECOVERY, "decline": SLOW_DECLINE,
    "tiny": TINY, "self": SELF_PROFILE,
}
TECH_CATEGORIES = ("electronics", "software")

# (vendor_id, name, category, orders per month, roster key). Names are fictional.
ROSTER: tuple[tuple[str, str, str, tuple[int, int], str], ...] = (
    ("V001", "Northfold Packaging Ltd", "packaging", (230, 290), "ordinary"),
    ("V002", "Crateworks Supply Co.", "packaging", (70, 110), "ordinary"),
    ("V003", "Steadfast Containers Ltd", "packaging", (280, 340), "reliable"),
    ("V004", "Emballages Lefèvre & Fils SARL", "packaging", (40, 70), "ordinary"),
    ("V005", "BlueRibbon Labels Inc.", "packaging", (60, 100), "ordinary"),
    ("V006", "Papyra Pulp & Board", "packaging", (20, 40), "ordinary"),
    ("V007", "Sunset Corrugated Co.", "packaging", (160, 200), "decline"),
    ("V008", "Shrinkwrap Direct", "packaging", (15, 35), "ordinary"),
    ("V009", "Kōyō Film Packaging K.K.", "packaging", (30, 60), "ordinary"),
    ("V010", "Brightlane Freight", "logistics", (220, 300), "ordinary"),
    ("V011", "Mañana Freight S.L.", "logistics", (260, 320), "late"),
    ("V012", "Corridor Express Ltd", "logistics", (90, 130), "ordinary"),
    ("V013", "Meridian Cold Chain", "logistics", (40, 80), "ordinary"),
    ("V014", "Quiet Harbor Logistics", "logistics", (80, 120), "quiet"),
    ("V015", "Phoenix Components AG", "electronics", (130, 170), "good_recovery"),
    ("V016", "Voltaic Parts Distribution", "electronics", (80, 120), "ordinary"),
    ("V017", "Lumen Display Systems", "electronics", (20, 45), "ordinary"),
    ("V018", "Ferrite & Flux Ltd", "electronics", (40, 70), "ordinary"),
    ("V019", "Helix Semiconductor Supply", "electronics", (60, 100), "ordinary"),
    ("V020", "Nebulous Labs Inc.", "software", (30, 50), "vaporware"),
    ("V021", "Ohmwise Electronics", "electronics", (25, 50), "ordinary"),
    ("V022", "Kestrel Sensors GmbH", "electronics", (15, 30), "ordinary"),
    ("V023", "Ledgerline Cloud", "software", (20, 40), "ordinary"),
    ("V024", "Patchwork Systems", "software", (10, 25), "ordinary"),
    ("V025", "Quorum Analytics", "software", (15, 30), "ordinary"),
    ("V026", "Driftwood IT Services", "software", (40, 70), "ordinary"),
    ("V027", "Signalbox Software", "software", (10, 20), "ordinary"),
    ("V028", "Cobalt Helpdesk SaaS", "software", (8, 15), "ordinary"),
    ("V029", "Müller & Söhne GmbH", "raw-materials", (120, 160), "ordinary"),
    ("V030", "Granite Ridge Metals", "raw-materials", (60, 100), "ordinary"),
    ("V031", "Aurelia Alloys S.p.A.", "raw-materials", (30, 60), "ordinary"),
    ("V032", "Tallow & Wax Chemicals", "raw-materials", (20, 40), "ordinary"),
    ("V033", "Silvercreek Polymers", "raw-materials", (50, 80), "ordinary"),
    ("V034", "Stonewall Resins Ltd", "raw-materials", (100, 140), "bad_recovery"),
    ("V035", "Ironbark Timber Pty", "raw-materials", (25, 50), "ordinary"),
    ("V036", "Pebble Quarry Ltd", "raw-materials", (2, 3), "tiny"),
    ("V037", "Saltmarsh Minerals", "raw-materials", (10, 25), "ordinary"),
    ("V038", "Brightwater Express", "logistics", (30, 60), "ordinary"),
    ("V039", "Northwind Couriers", "logistics", (50, 90), "ordinary"),
    ("V040", "Tessellate Boxes", "packaging", (10, 20), "ordinary"),
    ("SELF", "Trustcard Demo Co (us)", "software", (90, 130), "self"),
)
# Vendors whose export leaves is_self blank (the contract's default) or has no recipients.
BLANK_IS_SELF = ("V008", "V024", "V037")
NO_RECIPIENTS = ("V022", "V032", "V040")
SINGLE_RECIPIENT = ("V006", "V017", "V027", "V036")

# Untrusted text that must survive escaping end to end: vendor id -> first complaint summary.
SPECIAL_SUMMARIES = {
    "V011": 'Driver said "we\'ll be there tomorrow, promise" - for the third time this week.',
    "V012": "Portal form pasted as-is: <script>alert(1)</script> please check the POD.",
}
FLAGSHIP_PRODUCT = 'Nebulous "Infinity" Platform & AI Suite'

# Complaint categories other than "late delivery", with weights, by vendor category.
COMPLAINT_CATEGORIES: dict[str, tuple[tuple[str, int], ...]] = {
    "packaging": (("damaged goods", 4), ("wrong item", 3), ("quality", 4), ("billing", 2)),
    "logistics": (("damaged goods", 5), ("lost shipment", 2), ("wrong address", 2), ("billing", 2)),
    "electronics": (("damaged goods", 3), ("wrong item", 3), ("quality", 4), ("billing", 1)),
    "software": (("outage", 4), ("bug", 5), ("support", 3), ("billing", 2)),
    "raw-materials": (("quality", 5), ("damaged goods", 2), ("wrong item", 2), ("billing", 2)),
}
SUMMARIES: dict[str, tuple[str, ...]] = {
    "late delivery": (
        "PO {po} arrived {n} days after the promised date.",
        "Delivery for PO {po} missed its slot; line waited {n} hours.",
        "No delivery on the promised date, no advance notice, PO {po}.",
    ),
    "damaged goods": (
        "{n} cartons crushed on arrival, photos attached.",
        "Pallet for PO {po} arrived wet, {n} units unusable.",
    ),
    "wrong item": ("Received SKU {sku} instead of the ordered item on PO {po}.", "Wrong revision shipped, lot {lot}."),
    "quality": (
        "Lot {lot} failed incoming inspection ({n}% out of spec).",
        "Surface defects on lot {lot}, {n} units sorted out.",
    ),
    "billing": ("Invoice INV-{po} charged {n}% above the agreed price.", "Duplicate invoice for PO {po}."),
    "lost shipment": ("Tracking shows PO {po} delivered, nothing arrived at dock {n}.",),
    "wrong address": ("Shipment for PO {po} went to the old warehouse, {n} km away.",),
    "outage": (
        "Service unavailable for {n} hours; status page stayed green.",
        "API errors for {n} hours during month-end close.",
    ),
    "bug": (
        "Release {n}.{m} broke the CSV export; workaround needed.",
        "Sync job silently skips records since release {n}.{m}.",
    ),
    "support": ("Ticket open {n} days without a reply.", "Support closed our ticket without a fix, twice."),
}
PRODUCT_NOUNS = {
    "electronics": ("Sensor Hub", "Gateway", "Controller", "Display Module", "Power Board", "Edge Node"),
    "software": ("Analytics", "Connector", "Mobile App", "Workflow Engine", "Public API", "Insights"),
    "packaging": ("EcoWrap line", "Recyclable Tray", "Mono-material Pouch", "Smart Label"),
    "logistics": ("Next-day Lane", "Cold Corridor", "Tracking Portal"),
    "raw-materials": ("Low-carbon Grade", "Recycled Blend", "High-purity Grade"),
}


# ---------------------------------------------------------------------------------------------
# The covered span and small random helpers
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    months: tuple[date, ...]  # first days, oldest first
    as_of: date  # last day of the last month: nothing in the data happens later
    as_of_end: datetime  # its last second, for timestamps

    @classmethod
    def ending(cls, last_month: date, months: int) -> Span:
        last = last_month.replace(day=1)
        as_of = month_end(last)
        return cls(
            tuple(add_months(last, i - months + 1) for i in range(months)),
            as_of, datetime.combine(as_of, time(23, 59, 59), timezone.utc),
        )

    def progress(self, index: int) -> float:
        return index / max(1, len(self.months) - 1)

    def index_before_last(self, n: int) -> int:
        return max(0, len(self.months) - 1 - n)


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@lru_cache(maxsize=None)
def business_days(first: date) -> tuple[date, ...]:
    return tuple(d for d in (first + timedelta(days=i) for i in range(month_end(first).day)) if d.weekday() < 5)


def stream(seed: int, *parts: str) -> random.Random:
    """An independent, reproducible random stream (str seeds hash with SHA-512, not hash())."""
    return random.Random(":".join([str(seed), *parts]))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation; exact enough for volumes
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def clamp(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, x))


# ---------------------------------------------------------------------------------------------
# Vendors
# ---------------------------------------------------------------------------------------------

def build_vendors(seed: int) -> list[Vendor]:
    vendors = []
    for vendor_id, name, category, orders, key in ROSTER:
        rng = stream(seed, vendor_id, "profile")
        vendors.append(Vendor(
            vendor_id=vendor_id, name=name, category=category, orders_per_month=orders,
            profile=profile_for(key, category, rng), recipients=recipients_for(vendor_id, name),
            is_self="true" if key == "self" else ("" if vendor_id in BLANK_IS_SELF else "false"),
        ))
    return vendors


def archetypes(seed: int = DEFAULT_SEED) -> dict[str, str]:
    """vendor_id -> archetype name ("ordinary" for the realistic rest), for docs and tests."""
    return {v.vendor_id: v.profile.archetype for v in build_vendors(seed)}


def profile_for(key: str, category: str, rng: random.Random) -> Profile:
    if key in ARCHETYPE_PROFILES:
        return ARCHETYPE_PROFILES[key]
    profile = ordinary_profile(category, rng)
    if key == "quiet":  # a solid vendor that never announces anything: "no data" for that pillar
        return replace(profile, archetype="no announcements", announcements=None)
    return profile


def ordinary_profile(category: str, rng: random.Random) -> Profile:
    """Realistic variation around decent performance, drawn once per vendor."""
    on_time = rng.uniform(0.85, 0.97)
    delivery = DeliveryStyle(
        on_time, on_time + rng.uniform(-0.02, 0.02), 0.025, (1, 2, 8),
        partial_rate=rng.uniform(0.02, 0.06), over_rate=0.01,
        reject_rate=rng.uniform(0.01, 0.04), lost_rate=0.002,
    )
    response = replace(
        GOOD_RESPONSE, ack_median_hours=rng.uniform(4, 30), ack_sigma=0.9, never_ack=0.03,
        promise_rate=0.8, resolve_on_time=rng.uniform(0.6, 0.9), overrun_days=(1, 12),
        never_resolve=0.01, apologized=rng.uniform(0.3, 0.7), explained=rng.uniform(0.3, 0.7),
        restitution=0.15, self_disclosed=rng.uniform(0.05, 0.25),
    )
    baseline = 3.0 if category == "software" else 0.5  # software fails as outages, not shipments
    complaints = ComplaintStyle(baseline, rng.uniform(0.03, 0.06), 0.2, response)
    return Profile("ordinary", delivery, complaints, ordinary_announcements(category, rng))


def ordinary_announcements(category: str, rng: random.Random) -> AnnouncementStyle | None:
    if category in TECH_CATEGORIES:
        return replace(TECH_ANNOUNCEMENTS, per_year=rng.uniform(6, 14))
    # Most suppliers of goods never announce anything; a third occasionally launch a line.
    return OCCASIONAL_ANNOUNCEMENTS if chance(rng, 0.35) else None


def recipients_for(vendor_id: str, name: str) -> str:
    if vendor_id in NO_RECIPIENTS:
        return ""
    if vendor_id == "SELF":
        return "customer-success@trustcard-demo.example;quality@trustcard-demo.example"
    domain = domain_for(name)
    if vendor_id in SINGLE_RECIPIENT:
        return f"account-manager@{domain}"
    return f"ops@{domain};quality@{domain}"


def domain_for(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    legal = {"ltd", "co", "inc", "gmbh", "ag", "sarl", "sl", "spa", "kk", "pty", "saas", "llc"}
    words = [w for w in "".join(c if c.isalnum() else " " for c in ascii_name.lower()).split()]
    kept = [w for w in words if w not in legal and len(w) > 1] or words
    return "-".join(kept[:2]) + ".example"


# ---------------------------------------------------------------------------------------------
# Deliveries
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    vendor_id: str
    promised: date
    delivered: date | None
    qty_ordered: float
    qty_delivered: float | None  # None with a delivered date = "delivered in full", left blank
    qty_rejected: float | None  # None = blank (the contract's default 0)
    order_value: float
    decimals: int  # raw materials are ordered in tonnes with one decimal


@dataclass(frozen=True)
class MonthConditions:
    on_time: float
    late_days: tuple[int, int, int]
    partial_rate: float


# Unit sizes and prices by category: (min qty, max qty, rounding step, decimals, price range).
ORDER_SHAPES: dict[str, tuple[float, float, float, int, tuple[float, float]]] = {
    "packaging": (200, 5000, 50, 0, (0.15, 1.6)),
    "logistics": (1, 40, 1, 0, (80, 260)),
    "electronics": (10, 2000, 10, 0, (2, 90)),
    "software": (1, 200, 1, 0, (30, 400)),
    "raw-materials": (5, 40, 0.5, 1, (600, 2600)),
}


def month_conditions(profile: Profile, span: Span, index: int, rng: random.Random) -> MonthConditions:
    style = profile.delivery
    base = MonthConditions(
        clamp(style.on_time(span.progress(index)) + rng.gauss(0, style.monthly_jitter)),
        style.late_days, style.partial_rate,
    )
    incident = profile.incident
    if incident is None:
        return base
    since = index - span.index_before_last(incident.months_before_last)
    if not 0 <= since < len(incident.on_time_curve):
        return base
    hit = since == 0  # the incident month itself is the worst in every respect
    return MonthConditions(
        clamp(incident.on_time_curve[since] + rng.gauss(0, 0.02)),
        incident.late_days if hit else base.late_days,
        incident.partial_rate if hit else base.partial_rate,
    )


def vendor_deliveries(vendor: Vendor, span: Span, seed: int) -> list[Delivery]:
    rng = stream(seed, vendor.vendor_id, "deliveries")
    price = rng.uniform(*ORDER_SHAPES[vendor.category][4])
    rows: list[Delivery] = []
    for index, month in enumerate(span.months):
        conditions = month_conditions(vendor.profile, span, index, rng)
        for _ in range(rng.randint(*vendor.orders_per_month)):
            rows.append(one_delivery(vendor, month, conditions, price, span, rng))
    return rows


def one_delivery(
    vendor: Vendor, month: date, cond: MonthConditions, price: float, span: Span, rng: random.Random
) -> Delivery:
    style = vendor.profile.delivery
    promised = rng.choice(business_days(month))
    delivered = delivery_date(promised, cond, style.lost_rate, rng)
    if delivered is not None and delivered > span.as_of:
        delivered = None  # would arrive after the as-of: still open in this export
    qty_ordered, decimals = order_quantity(vendor.category, rng)
    qty_delivered, qty_rejected = delivered_quantities(qty_ordered, delivered, cond, style, decimals, rng)
    value = round(qty_ordered * price * rng.uniform(0.9, 1.1), 2)
    return Delivery(vendor.vendor_id, promised, delivered, qty_ordered, qty_delivered, qty_rejected, value, decimals)


def delivery_date(promised: date, cond: MonthConditions, lost_rate: float, rng: random.Random) -> date | None:
    if chance(rng, lost_rate):
        return None
    if chance(rng, cond.on_time):
        early = rng.choices((0, 1, 2, 3), cum_weights=(60, 85, 95, 100))[0]
        return promised - timedelta(days=early)
    low, mode, high = cond.late_days
    return promised + timedelta(days=max(1, round(rng.triangular(low, high, mode))))


def order_quantity(category: str, rng: random.Random) -> tuple[float, int]:
    low, high, step, decimals, _ = ORDER_SHAPES[category]
    # Skewed toward small orders, as order books are.
    qty = low + (high - low) * rng.random() ** 2
    qty = max(step, round(qty / step) * step)
    return (round(qty, decimals) if decimals else int(qty)), decimals


def delivered_quantities(
    ordered: float, delivered: date | None, cond: MonthConditions, style: DeliveryStyle,
    decimals: int, rng: random.Random,
) -> tuple[float | None, float | None]:
    if delivered is None:
        return None, None
    roll = rng.random()
    unit = 10 ** -decimals
    if roll < cond.partial_rate and ordered > unit:
        qty = max(unit, round_down(ordered * rng.uniform(0.4, 0.97), decimals))
    elif roll < cond.partial_rate + style.over_rate:
        qty = round(ordered + max(unit, ordered * rng.uniform(0.01, 0.08)), decimals)
    else:
        qty = ordered
    rejected: float | None = 0 if chance(rng, 0.5) else None
    if chance(rng, style.reject_rate):
        rejected = min(qty, max(unit, round_down(qty * rng.uniform(0.005, 0.15), decimals)))
    if qty == ordered and chance(rng, 0.3):
        return None, rejected  # exported blank: delivered in full
    return qty, rejected


def round_down(x: float, decimals: int) -> float:
    factor = 10 ** decimals
    value = math.floor(x * factor + 1e-9) / factor
    return value if decimals else int(value)


def is_late(d: Delivery) -> bool:
    return d.delivered is None or d.delivered > d.promised


# ---------------------------------------------------------------------------------------------
# Complaints
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Complaint:
    vendor_id: str
    opened: datetime
    acknowledged: datetime | None
    resolved: datetime | None
    promised: datetime | None
    severity: str  # "" = blank (the contract's default, medium)
    category: str
    disclosed_by: str
    apologized: str
    explained: str
    restitution: str
    summary: str
    offset: timedelta | None  # render timestamps in this local offset where the date agrees


@dataclass(frozen=True)
class Raised:
    """What is known when a complaint is opened; the response style decides the rest."""

    opened: datetime
    severity: str
    category: str
    summary: str
    response: ResponseStyle
    tidy: bool  # incident tickets are filled in completely; routine ones have occasional blanks


def vendor_complaints(vendor: Vendor, span: Span, deliveries: list[Delivery], seed: int) -> list[Complaint]:
    rng = stream(seed, vendor.vendor_id, "complaints")
    due, late = monthly_delivery_counts(deliveries)
    raised: list[Raised] = []
    for index, month in enumerate(span.months):
        raised += routine_complaints(vendor, month, due.get(month, 0), late.get(month, 0), rng)
        raised += incident_complaints(vendor, span, index, month, rng)
    return [respond(vendor.vendor_id, r, span, rng) for r in raised]


def monthly_delivery_counts(deliveries: list[Delivery]) -> tuple[dict[date, int], dict[date, int]]:
    due: dict[date, int] = {}
    late: dict[date, int] = {}
    for d in deliveries:
        month = d.promised.replace(day=1)
        due[month] = due.get(month, 0) + 1
        late[month] = late.get(month, 0) + is_late(d)
    return due, late


def routine_complaints(vendor: Vendor, month: date, due: int, late: int, rng: random.Random) -> list[Raised]:
    style = vendor.profile.complaints
    n_late = sum(chance(rng, style.per_late_delivery) for _ in range(late))
    n_other = poisson(rng, style.per_month + style.per_delivery * due)
    categories = ["late delivery"] * n_late + [
        weighted(rng, COMPLAINT_CATEGORIES[vendor.category]) for _ in range(n_other)
    ]
    return [
        Raised(opened_in(month, rng, 1, month_end(month).day), routine_severity(category, rng), category,
               summary_for(category, rng), style.response, tidy=False)
        for category in categories
    ]


def incident_complaints(vendor: Vendor, span: Span, index: int, month: date, rng: random.Random) -> list[Raised]:
    incident = vendor.profile.incident
    if incident is None:
        return []
    since = index - span.index_before_last(incident.months_before_last)
    if since == 0:  # the burst: serious, clustered in the first ten days
        return [
            Raised(opened_in(month, rng, 1, 10), rng.choices(("high", "critical"), (6, 4))[0],
                   incident.category, fill(incident.summary, rng), incident.response, tidy=True)
            for _ in range(rng.randint(*incident.burst))
        ]
    if since in incident.repeats_after:  # the same failure again, handled the same poor way
        return [
            Raised(opened_in(month, rng, 1, month_end(month).day), rng.choice(("medium", "high")),
                   incident.category, fill(incident.summary, rng), incident.response, tidy=True)
            for _ in range(rng.randint(*incident.repeat_burst))
        ]
    return []


# Complaints are raised mostly in working hours (UTC), rarely at night.
HOUR_CUM_WEIGHTS = tuple(itertools.accumulate([1] * 6 + [4] * 12 + [2] * 6))


def opened_in(month: date, rng: random.Random, first_day: int, last_day: int) -> datetime:
    day = month.replace(day=rng.randint(first_day, last_day))
    hour = rng.choices(range(24), cum_weights=HOUR_CUM_WEIGHTS)[0]
    return datetime.combine(day, time(hour, rng.randrange(0, 60, 5)), timezone.utc)


def routine_severity(category: str, rng: random.Random) -> str:
    if category == "outage":
        return rng.choices(SEVERITIES, weights=(5, 30, 45, 20))[0]
    return rng.choices(SEVERITIES, weights=(32, 46, 18, 4))[0]


def summary_for(category: str, rng: random.Random) -> str:
    return fill(rng.choice(SUMMARIES[category]), rng)


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        po=f"4500{rng.randint(100000, 999999)}", n=rng.randint(2, 12), m=rng.randint(0, 9),
        sku=f"SKU-{rng.randint(10000, 99999)}", lot=f"L{rng.randint(1000, 9999)}",
    )


def respond(vendor_id: str, r: Raised, span: Span, rng: random.Random) -> Complaint:
    """Play the response forward, then cut at the as-of: later steps have not happened yet."""
    s = r.response
    ack = None if chance(rng, s.never_ack) else r.opened + timedelta(
        hours=max(0.1, rng.lognormvariate(math.log(s.ack_median_hours), s.ack_sigma)))
    ack = round_to_minute(ack)
    severity = r.severity
    promised = ack + PROMISE_BY_SEVERITY[severity] if ack and chance(rng, s.promise_rate) else None
    resolved = round_to_minute(resolution_time(r, ack, promised, s, rng))
    as_of = span.as_of_end
    if ack is not None and ack > as_of:
        ack = promised = None  # not acknowledged yet, so nothing promised yet either
    if resolved is not None and resolved > as_of:
        resolved = None
    blank_rate = 0.0 if r.tidy else 0.02

    def blank() -> bool:
        return chance(rng, blank_rate)

    return Complaint(
        vendor_id=vendor_id, opened=r.opened, acknowledged=ack, resolved=resolved, promised=promised,
        severity="" if blank() else severity, category=r.category,
        disclosed_by="" if blank() else ("vendor" if chance(rng, s.self_disclosed) else "customer"),
        apologized=boolean(chance(rng, s.apologized), blank()),
        explained=boolean(chance(rng, s.explained), blank()),
        restitution=boolean(chance(rng, s.restitution) and severity != "low", blank()),
        summary=r.summary, offset=rng.choice(LOCAL_OFFSETS) if chance(rng, 0.04) else None,
    )


def resolution_time(
    r: Raised, ack: datetime | None, promised: datetime | None, s: ResponseStyle, rng: random.Random
) -> datetime | None:
    if chance(rng, s.never_resolve):
        return None
    start = ack or r.opened
    if promised is not None:
        if chance(rng, s.resolve_on_time):
            return start + (promised - start) * rng.uniform(*s.resolve_within)
        return promised + timedelta(days=rng.uniform(*s.overrun_days))
    return start + PROMISE_BY_SEVERITY[r.severity] * rng.lognormvariate(0, 0.6)


def round_to_minute(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(second=0, microsecond=0) + timedelta(minutes=1 if t.second or t.microsecond else 0)


def boolean(value: bool, blank: bool) -> str:
    return "" if blank else ("true" if value else "false")


def with_special_summaries(complaints: list[Complaint]) -> list[Complaint]:
    """Give each listed vendor's first complaint a summary that stresses escaping."""
    out, done = [], set()
    for c in complaints:
        if c.vendor_id in SPECIAL_SUMMARIES and c.vendor_id not in done:
            done.add(c.vendor_id)
            c = replace(c, summary=SPECIAL_SUMMARIES[c.vendor_id])
        out.append(c)
    return out


# ---------------------------------------------------------------------------------------------
# Announcements
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    event: str
    event_date: date
    promised_ship_date: date | None


@dataclass(frozen=True)
class Announcement:
    vendor_id: str
    product: str
    presold: bool
    events: tuple[Event, ...]
    repeat_product: bool  # later events repeat the product name (else leave it blank)


def vendor_announcements(vendor: Vendor, span: Span, seed: int) -> list[Announcement]:
    style = vendor.profile.announcements
    if style is None:
        return []
    rng = stream(seed, vendor.vendor_id, "announcements")
    window_start = span.months[0]
    window_days = (add_months(span.months[-1], 7) - window_start).days  # due up to 6 months after
    expected = style.per_year * window_days / 365
    out = []
    if vendor.profile.never_ships_flagship:
        out.append(flagship(vendor, span))
    for _ in range(poisson(rng, expected)):
        due = window_start + timedelta(days=rng.randrange(window_days))
        announcement = play_announcement(vendor, style, due, span, rng)
        if announcement is not None:
            out.append(announcement)
    return out


def play_announcement(
    vendor: Vendor, style: AnnouncementStyle, due: date, span: Span, rng: random.Random
) -> Announcement | None:
    announced = due - timedelta(days=rng.randint(*style.lead_days))
    if announced > span.as_of:
        return None  # not announced yet as of the export
    events = [Event("announced", announced, due)]
    current = due
    for _ in range(revision_count(style, rng)):
        revision_date = revision_day(current, events[-1].event_date, rng)
        if revision_date > span.as_of:
            break
        if chance(rng, style.pull_in_chance):  # rare good news: the date moves earlier
            current -= timedelta(days=rng.randint(7, 30))
        else:
            current += timedelta(days=rng.randint(*style.slip_days))
        current = max(current, revision_date + timedelta(days=7))
        events.append(Event("revised", revision_date, current))
    ending = final_event(style, current, events[-1].event_date, rng)
    if ending.event_date <= span.as_of:
        events.append(ending)
    return Announcement(
        vendor.vendor_id, product_name(vendor, rng), chance(rng, style.presold_chance), tuple(events),
        repeat_product=chance(rng, 0.5),
    )


def revision_count(style: AnnouncementStyle, rng: random.Random) -> int:
    low, high = style.slips
    return low + sum(chance(rng, style.slip_chance) for _ in range(high - low))


def revision_day(current_promise: date, last_event: date, rng: random.Random) -> date:
    """Slips are announced a few weeks before the promised date runs out, never before the last event."""
    day = current_promise - timedelta(days=rng.randint(7, 45))
    return max(day, last_event + timedelta(days=rng.randint(7, 30)))


def final_event(style: AnnouncementStyle, current: date, last_event: date, rng: random.Random) -> Event:
    earliest = last_event + timedelta(days=1)
    if chance(rng, style.cancel_chance):
        return Event("cancelled", max(earliest, current + timedelta(days=rng.randint(-30, 60))), None)
    return Event("shipped", max(earliest, current + timedelta(days=rng.randint(*style.ship_offset_days))), None)


def flagship(vendor: Vendor, span: Span) -> Announcement:
    """The vaporware vendor's presold product: announced 15 months ahead, re-dated three times,
    last promised about two months before the as-of, and never shipped."""
    due = span.months[span.index_before_last(7)] + timedelta(days=14)
    slips = (
        (timedelta(days=-20), timedelta(days=90)),
        (timedelta(days=70), timedelta(days=120)),
        (timedelta(days=110), timedelta(days=150)),
    )
    events = [Event("announced", due - timedelta(days=456), due)]
    for said, promised in slips:
        if due + said <= span.as_of:
            events.append(Event("revised", due + said, due + promised))
    return Announcement(vendor.vendor_id, FLAGSHIP_PRODUCT, True, tuple(events), repeat_product=True)


def product_name(vendor: Vendor, rng: random.Random) -> str:
    brand = vendor.name.split()[0]
    noun = rng.choice(PRODUCT_NOUNS[vendor.category])
    suffix = rng.choice(("2", "3", "X", "Pro", "Lite", "Plus", "2027", "Max"))
    return f"{brand} {noun} {suffix}"


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def generate(landing_dir: Path, last_month: date, months: int = 24, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write the sample landing folder; return the number of rows written per feed."""
    if months < 1:
        raise ValueError("months must be at least 1")
    span = Span.ending(last_month, months)
    vendors = build_vendors(seed)
    deliveries: list[Delivery] = []
    complaints: list[Complaint] = []
    announcements: list[Announcement] = []
    for vendor in vendors:
        own = vendor_deliveries(vendor, span, seed)
        deliveries += own
        complaints += vendor_complaints(vendor, span, own, seed)
        announcements += vendor_announcements(vendor, span, seed)

    landing_dir = Path(landing_dir)
    reset_landing(landing_dir)
    write_csv(landing_dir / "vendors.csv", VENDOR_COLUMNS, (vendor_row(v) for v in vendors))
    n_deliveries = write_deliveries(landing_dir / "deliveries", deliveries)
    n_complaints = write_complaints(landing_dir / "complaints", complaints)
    n_events = write_announcements(landing_dir / "announcements", announcements)
    return {"vendors": len(vendors), "deliveries": n_deliveries, "complaints": n_complaints,
            "announcement_events": n_events}


class NotASampleFolder(ValueError):
    """The folder holds data that is not an earlier sample: generating would delete it."""


def sample_vendors_csv(seed: int = DEFAULT_SEED) -> str:
    """vendors.csv as `generate` writes it: an earlier sample folder holds exactly this."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VENDOR_COLUMNS)
    for vendor in build_vendors(seed):
        row = vendor_row(vendor)
        writer.writerow([row[c] for c in VENDOR_COLUMNS])
    return buffer.getvalue()


def check_sample_folder(landing_dir: Path, seed: int = DEFAULT_SEED) -> None:
    """Refuse a landing folder that holds anything but an earlier sample: generating the sample
    deletes its feed folders and vendors.csv (a TRUSTCARD_LANDING_DIR exported for real data)."""
    if not landing_dir.exists():
        return
    if not landing_dir.is_dir():
        raise NotASampleFolder(f"{landing_dir} is a file, not a landing folder")
    if not any(landing_dir.iterdir()):
        return
    vendors = landing_dir / "vendors.csv"
    try:
        same = vendors.is_file() and vendors.read_text(encoding="utf-8") == sample_vendors_csv(seed)
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:
        raise NotASampleFolder(
            f"{landing_dir} holds data that is not trustcard's sample (its vendors.csv is not the sample's): the "
            "demo would delete it. Point TRUSTCARD_LANDING_DIR at an empty or new folder for the demo, or unset it")


# The names `generate` gives its files, in each feed folder.
SAMPLE_FILE = re.compile(r"deliveries/deliveries_\d{4}Q[1-4]\.(csv|parquet)|complaints/complaints_\d{4}\.csv"
                         r"|announcements/announcement_events_\d{4}\.csv")


def files_not_from_the_sample(landing_dir: Path) -> list[str]:
    """Files in the feed folders that `generate` would delete and did not write (a late file a
    user added to try a rerun): the demo names them before it replaces the sample."""
    found = [path.relative_to(landing_dir).as_posix() for name in FEED_DIRS if (landing_dir / name).is_dir()
             for path in sorted((landing_dir / name).rglob("*")) if not path.is_dir()]
    return [rel for rel in found if not SAMPLE_FILE.fullmatch(rel)]


def reset_landing(landing_dir: Path) -> None:
    check_sample_folder(landing_dir)
    landing_dir.mkdir(parents=True, exist_ok=True)
    for name in FEED_DIRS:
        shutil.rmtree(landing_dir / name, ignore_errors=True)
        (landing_dir / name).mkdir()
    (landing_dir / "vendors.csv").unlink(missing_ok=True)


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])  # KeyError, not a silent blank, on a typo
            count += 1
    return count


def vendor_row(v: Vendor) -> dict[str, str]:
    return {"vendor_id": v.vendor_id, "vendor_name": v.name, "category": v.category,
            "is_self": v.is_self, "report_recipients": v.recipients}


def write_deliveries(folder: Path, deliveries: list[Delivery]) -> int:
    ordered = sorted(deliveries, key=lambda d: (d.promised, d.vendor_id))  # stable: keeps draw order
    by_quarter: dict[str, list[tuple[str, Delivery]]] = {}
    for seq, d in enumerate(ordered, start=1):
        by_quarter.setdefault(quarter_of(d.promised), []).append((f"D{seq:07d}", d))
    quarters = sorted(by_quarter)
    parquet_quarter = quarters[len(quarters) // 2]  # inside the usual scored window
    for quarter in quarters:
        rows = by_quarter[quarter]
        if quarter == parquet_quarter:
            write_delivery_parquet(folder / f"deliveries_{quarter}.parquet", rows)
        else:
            write_csv(folder / f"deliveries_{quarter}.csv", DELIVERY_COLUMNS, (delivery_row(i, d) for i, d in rows))
    return len(ordered)


def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def delivery_row(delivery_id: str, d: Delivery) -> dict[str, str]:
    return {
        "delivery_id": delivery_id, "vendor_id": d.vendor_id, "promised_date": d.promised.isoformat(),
        "delivered_date": d.delivered.isoformat() if d.delivered else "",
        "qty_ordered": number(d.qty_ordered, d.decimals), "qty_delivered": number(d.qty_delivered, d.decimals),
        "qty_rejected": number(d.qty_rejected, d.decimals), "order_value": f"{d.order_value:.2f}",
    }


def number(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


def write_delivery_parquet(path: Path, rows: list[tuple[str, Delivery]]) -> None:
    """Typed columns, as a database export would have them; no statistics so bytes stay stable."""
    def floats(values: Iterable[float | None]) -> list[float | None]:
        return [None if v is None else float(v) for v in values]

    frame = pl.DataFrame(
        {
            "delivery_id": [i for i, _ in rows],
            "vendor_id": [d.vendor_id for _, d in rows],
            "promised_date": [d.promised for _, d in rows],
            "delivered_date": [d.delivered for _, d in rows],
            "qty_ordered": floats(d.qty_ordered for _, d in rows),
            "qty_delivered": floats(d.qty_delivered for _, d in rows),
            "qty_rejected": floats(d.qty_rejected for _, d in rows),
            "order_value": floats(d.order_value for _, d in rows),
        },
        schema={"delivery_id": pl.String, "vendor_id": pl.String, "promised_date": pl.Date,
                "delivered_date": pl.Date, "qty_ordered": pl.Float64, "qty_delivered": pl.Float64,
                "qty_rejected": pl.Float64, "order_value": pl.Float64},
    )
    frame.write_parquet(path, statistics=False)


def write_complaints(folder: Path, complaints: list[Complaint]) -> int:
    ordered = with_special_summaries(sorted(complaints, key=lambda c: (c.opened, c.vendor_id)))
    by_year: dict[int, list[dict[str, str]]] = {}
    for seq, c in enumerate(ordered, start=1):
        by_year.setdefault(c.opened.year, []).append(complaint_row(f"C{seq:06d}", c))
    for year in sorted(by_year):
        write_csv(folder / f"complaints_{year}.csv", COMPLAINT_COLUMNS, by_year[year])
    return len(ordered)


def complaint_row(complaint_id: str, c: Complaint) -> dict[str, str]:
    return {
        "complaint_id": complaint_id, "vendor_id": c.vendor_id,
        "opened_at": timestamp(c.opened, c.offset), "acknowledged_at": timestamp(c.acknowledged, c.offset),
        "resolved_at": timestamp(c.resolved, c.offset),
        "promised_resolution_at": timestamp(c.promised, c.offset), "severity": c.severity,
        "category": c.category, "disclosed_by": c.disclosed_by, "apologized": c.apologized,
        "explained": c.explained, "restitution": c.restitution, "summary": c.summary,
    }


def timestamp(t: datetime | None, offset: timedelta | None) -> str:
    """UTC with Z; in a local offset only when that does not change the calendar date,
    so the local date is never past the as-of and the UTC month is obvious."""
    if t is None:
        return ""
    if offset is not None:
        local = t.astimezone(timezone(offset))
        if local.date() == t.date():
            return local.isoformat(timespec="seconds")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_announcements(folder: Path, announcements: list[Announcement]) -> int:
    ordered = sorted(announcements, key=lambda a: (a.events[0].event_date, a.vendor_id, a.product))
    rows: list[tuple[date, str, int, dict[str, str]]] = []
    for seq, a in enumerate(ordered, start=1):
        announcement_id = f"A{seq:04d}"
        for position, event in enumerate(a.events):
            rows.append((event.event_date, announcement_id, position, event_row(announcement_id, a, position, event)))
    rows.sort(key=lambda r: r[:3])
    by_year: dict[int, list[dict[str, str]]] = {}
    for event_date, _, _, row in rows:
        by_year.setdefault(event_date.year, []).append(row)
    for year in sorted(by_year):
        write_csv(folder / f"announcement_events_{year}.csv", ANNOUNCEMENT_COLUMNS, by_year[year])
    return len(rows)


def event_row(announcement_id: str, a: Announcement, position: int, e: Event) -> dict[str, str]:
    first = position == 0
    return {
        "announcement_id": announcement_id, "vendor_id": a.vendor_id,
        "product": a.product if first or a.repeat_product else "", "event": e.event,
        "event_date": e.event_date.isoformat(),
        "promised_ship_date": e.promised_ship_date.isoformat() if e.promised_ship_date else "",
        "presold": ("true" if a.presold else "false") if first else "",
    }


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

def parse_month(text: str) -> date:
    try:
        return datetime.strptime(text.strip()[:7], "%Y-%m").date()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.sample_data", description=__doc__.splitlines()[0])
    parser.add_argument("landing_dir", type=Path)
    parser.add_argument("--last-month", type=parse_month, default=DEFAULT_LAST_MONTH,
                        help="last complete month covered, YYYY-MM (default 2026-10)")
    parser.add_argument("--months", type=int, default=24, help="number of months covered (default 24)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    counts = generate(args.landing_dir, args.last_month, args.months, args.seed)
    print(" ".join(f"{feed}={n}" for feed, n in counts.items()), f"-> {args.landing_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
