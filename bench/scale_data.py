"""A deterministic scale landing folder for the benchmark, through the same data contract.

    python bench/scale_data.py DIR [--scale ci|1m|10m|50m] [--seed N]

Writes, under DIR (docs/data-contract.md, Parquet with natural types):

    vendors.csv
    deliveries/deliveries_YYYY-MM.parquet        one file per month of promised_date
    complaints/complaints_YYYY-MM.parquet        one file per month of opened_at (UTC)
    announcements/announcements_YYYY-MM.parquet  one file per month of the first promised ship date
                                                 (24 months, plus 6 months of promises ahead)
    manifest.json                                what was written (written last: a complete folder)

over the 24 complete months ending 2026-10. Ids, names and enums are VARCHAR, dates DATE,
timestamps TIMESTAMP (UTC, no offset), quantities DOUBLE, flags BOOLEAN; NULL is a blank.

Nothing happens after 2026-10-31 (undelivered deliveries stay open, complaints unresolved), except
in the small share of rows that break the contract on purpose so that quarantine is exercised:
non-positive or negative quantities, rejected above delivered, unknown or missing vendors, exact
duplicate rows, copies that write the contract's defaults out (the same rows), keys repeated with
conflicting values, facts dated after the as-of date
(2026-11-26), acknowledgements and resolutions before the opening, an unknown severity, and for
announcements: unknown vendors, a revision without a date, a first event that is not `announced`,
two conflicting `announced` events, a missing product, a shipment dated in the future.

Determinism: every draw comes from numpy's PCG64 seeded with (seed, feed, month), so a month's
file does not depend on any other, and the same (scale, seed) gives identical rows. Memory stays
bounded by one month of one feed (about 1/24 of the feed); 10M deliveries take well under a minute.
"""
from __future__ import annotations

import argparse
import calendar
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

GENERATOR_VERSION = 4  # bump when the generated rows change: cached folders are then rebuilt
DEFAULT_SEED = 7
LAST_MONTH = date(2026, 10, 1)
N_MONTHS = 24
AHEAD_MONTHS = 6  # announcements may promise ship dates up to this many months past the data
DATA_END = date(2026, 10, 31)  # nothing valid happens after this day
AS_OF = date(2026, 11, 26)  # the run's as-of date (TRUSTCARD_AS_OF): later facts are rejected
FUTURE = date(2027, 1, 1)  # violations: facts dated after the as-of date fall from here on


@dataclass(frozen=True)
class Scale:
    name: str
    deliveries: int
    complaints: int
    events: int  # announcement events (about 2.3 per announcement)
    vendors: int


SCALES = {
    "ci": Scale("ci", 20_000, 2_000, 400, 50),
    "1m": Scale("1m", 1_000_000, 100_000, 20_000, 500),
    "10m": Scale("10m", 10_000_000, 1_000_000, 200_000, 5_000),
    "50m": Scale("50m", 50_000_000, 5_000_000, 1_000_000, 25_000),
}

CATEGORIES = ("packaging", "logistics", "electronics", "software", "raw materials", "chemicals",
              "facilities", "office supplies", "machining", "textiles", "food service", "printing")
COMPLAINT_CATEGORIES = ("late delivery", "damaged goods", "wrong item", "billing", "quality", "communication")
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_P = (0.30, 0.45, 0.20, 0.05)
PROMISE_DAYS = {"low": 14, "medium": 7, "high": 3, "critical": 1}  # promised resolution after acknowledging

# Contract violations, as a share of a feed's rows (at least MIN_VIOLATIONS of each kind overall).
MIN_VIOLATIONS = 3
DELIVERY_FAULTS = {
    "qty_ordered_not_positive": 0.0003, "qty_delivered_negative": 0.0003, "rejected_above_delivered": 0.0002,
    "unknown_vendor": 0.0005, "missing_vendor": 0.0001, "delivered_after_as_of": 0.0002,
    "exact_duplicate": 0.0010, "conflicting_duplicate": 0.0003, "defaults_written_out": 0.0003,
}
COMPLAINT_FAULTS = {
    "unknown_vendor": 0.0005, "acknowledged_before_opened": 0.0003, "resolved_before_opened": 0.0002,
    "resolved_after_as_of": 0.0002, "unknown_severity": 0.0002,
    "exact_duplicate": 0.0010, "conflicting_duplicate": 0.0003, "defaults_written_out": 0.0003,
}
ANNOUNCEMENT_FAULTS = {  # shares of announcements (exact_duplicate: of events)
    "unknown_vendor": 0.003, "revised_without_date": 0.003, "first_event_not_announced": 0.002,
    "conflicting_announced": 0.002, "announced_without_product": 0.001, "shipped_after_as_of": 0.002,
    "promise_already_past": 0.001, "exact_duplicate": 0.003,
}
FEED_CODES = {"vendors": 1, "deliveries": 2, "complaints": 3, "announcements": 4, "faults": 5}
EPOCH = date(1970, 1, 1)
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR


# ---- months and days as integers ----------------------------------------------------------------

def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def bench_months(last: date = LAST_MONTH, n: int = N_MONTHS) -> list[date]:
    return [add_months(last, k - n + 1) for k in range(n)]


def day_number(d: date) -> int:
    return (d - EPOCH).days


def days_in(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def rng_for(seed: int, feed: str, k: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, FEED_CODES[feed], k])


def split_total(total: int, n: int, growth: float = 0.3) -> np.ndarray:
    """total spread over n months with a mild upward trend; sums exactly to total."""
    w = 1 + growth * np.arange(n) / max(n - 1, 1)
    counts = np.floor(total * w / w.sum()).astype(np.int64)
    counts[-1] += total - counts.sum()
    return counts


def fault_plan(faults: dict[str, float], rows_per_month: np.ndarray, seed: int, feed: str) -> dict[str, np.ndarray]:
    """How many rows of each fault kind each month gets: share x rows, at least MIN_VIOLATIONS overall."""
    rng = rng_for(seed, "faults", FEED_CODES[feed])
    total = int(rows_per_month.sum())
    p = rows_per_month / max(total, 1)
    return {kind: rng.multinomial(max(MIN_VIOLATIONS, round(share * total)), p) for kind, share in faults.items()}


# ---- vendors ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vendors:
    ids: np.ndarray  # object array of vendor_id
    id_series: pl.Series
    weight: np.ndarray  # share of deliveries
    complaint_weight: np.ndarray
    announce_weight: np.ndarray
    on_time: np.ndarray  # chance of on time (middle of the period)
    drift: np.ndarray  # change of that chance over the 24 months
    in_full: np.ndarray
    defect: np.ndarray
    late_days: np.ndarray  # median days late when late
    ack_hours: np.ndarray  # median hours to acknowledge
    resolve_days: np.ndarray  # median days to resolve
    slip: np.ndarray  # expected revisions per announcement
    unit_price: np.ndarray


def make_vendors(scale: Scale, seed: int) -> tuple[Vendors, pl.DataFrame]:
    rng = rng_for(seed, "vendors")
    n = scale.vendors
    ids = np.array(["OURCO"] + [f"V{i:05d}" for i in range(1, n)], dtype=object)
    category = np.array(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), n)]
    weight = rng.lognormal(0.0, 1.1, n)
    weight[rng.random(n) < 0.02] = 0.0  # a few vendors without any delivery: "no data" rows
    weight[0] = np.median(weight[1:]) if n > 1 else 1.0  # our own company is an ordinary size
    weight /= weight.sum()
    on_time = rng.beta(9, 1.5, n)  # mean about 0.86, a long tail of chronically late vendors
    vendors = Vendors(
        ids=ids,
        id_series=pl.Series("vendor_id", ids.tolist(), dtype=pl.String),
        weight=weight,
        complaint_weight=weight * (1.5 - on_time) / (weight * (1.5 - on_time)).sum(),
        announce_weight=np.where(np.isin(category, ["electronics", "software"]) | (rng.random(n) < 0.3),
                                 rng.lognormal(0.0, 0.8, n), 0.0),
        on_time=on_time,
        drift=rng.normal(0.0, 0.08, n),
        in_full=rng.beta(18, 1.2, n),
        defect=rng.beta(1, 40, n),
        late_days=rng.lognormal(np.log(4), 0.6, n),
        ack_hours=rng.lognormal(np.log(8), 1.0, n),
        resolve_days=rng.lognormal(np.log(6), 0.6, n),
        slip=rng.gamma(1.0, 0.5, n),
        unit_price=np.round(rng.lognormal(np.log(25), 1.0, n), 2),
    )
    vendors.announce_weight[:] /= max(vendors.announce_weight.sum(), 1e-12)
    frame = pl.DataFrame({
        "vendor_id": ids.tolist(),
        "vendor_name": ["Our company"] + [f"Vendor {i:05d} {CATEGORIES[i % len(CATEGORIES)].title()} Ltd" for i in range(1, n)],
        "category": category.tolist(),
        "is_self": [True] + [False] * (n - 1),
        "report_recipients": ["trust@ourco.example"] + [f"quality@v{i:05d}.example" for i in range(1, n)],
    })
    return vendors, frame


# ---- deliveries ---------------------------------------------------------------------------------

def deliveries_month(v: Vendors, month: date, k: int, n: int, faults: dict[str, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "deliveries", k)
    vid = rng.choice(len(v.ids), size=n, p=v.weight)
    promised = day_number(month) + rng.integers(0, days_in(month), n)
    p_on_time = np.clip(v.on_time[vid] + v.drift[vid] * (k / (N_MONTHS - 1) - 0.5), 0.02, 0.999)
    on_time = rng.random(n) < p_on_time
    early = np.minimum(rng.geometric(0.55, n) - 1, 14)
    late = 1 + np.floor(rng.lognormal(np.log(v.late_days[vid]), 0.8)).astype(np.int64)
    delivered = np.where(on_time, promised - early, promised + late)
    lost = rng.random(n) < 0.004  # never delivered: open past due for good
    is_open = lost | (delivered > day_number(DATA_END))
    ordered = np.floor(rng.lognormal(np.log(40), 1.0, n)) + 1
    in_full = rng.random(n) < v.in_full[vid]
    over = rng.random(n) < 0.01
    got = np.where(in_full, ordered, np.floor(ordered * rng.uniform(0.3, 0.98, n)))
    got = np.where(in_full & over, ordered + rng.integers(1, 5, n), got)
    rejected = np.where(rng.random(n) < v.defect[vid], np.minimum(np.floor(got * rng.uniform(0, 0.2, n)) + 1, got), 0.0)
    value = np.round(ordered * v.unit_price[vid], 2)
    frame = pl.DataFrame({
        "_i": np.arange(n),
        "vendor_id": v.id_series.gather(vid),
        "promised_date": pl.Series(promised.astype("int32")).cast(pl.Date),
        "delivered_date": pl.Series(delivered.astype("int32")).cast(pl.Date),
        "qty_ordered": ordered,
        "qty_delivered": got,
        "qty_rejected": rejected,
        "order_value": value,
        "_open": is_open,
        "_blank_qty": in_full & ~over & (rng.random(n) < 0.15),  # empty qty_delivered = in full
        "_blank_rejected": rng.random(n) < 0.3,
        "_blank_value": rng.random(n) < 0.03,
    })
    frame = frame.select(
        pl.format("D{}-{}", pl.lit(f"{month:%Y%m}"), pl.col("_i").cast(pl.String).str.zfill(8)).alias("delivery_id"),
        "vendor_id",
        "promised_date",
        pl.when(~pl.col("_open")).then(pl.col("delivered_date")).alias("delivered_date"),
        "qty_ordered",
        pl.when(~pl.col("_open") & ~pl.col("_blank_qty")).then(pl.col("qty_delivered")).alias("qty_delivered"),
        pl.when(~pl.col("_open") & ~pl.col("_blank_rejected")).then(pl.col("qty_rejected")).alias("qty_rejected"),
        pl.when(~pl.col("_blank_value")).then(pl.col("order_value")).alias("order_value"),
    )
    return inject_delivery_faults(frame, faults, rng)


def _pick(rng: np.random.Generator, n: int, faults: dict[str, int]) -> dict[str, np.ndarray]:
    """Disjoint random row positions for each fault kind."""
    perm = rng.permutation(n)
    out, at = {}, 0
    for kind, count in faults.items():
        out[kind] = np.sort(perm[at:at + count])
        at += count
    return out


def _set(frame: pl.DataFrame, rows: np.ndarray, **values) -> pl.DataFrame:
    mask = np.zeros(frame.height, dtype=bool)
    mask[rows] = True
    m = pl.Series(mask)
    return frame.with_columns(
        pl.when(m).then(expr if isinstance(expr, pl.Expr) else pl.lit(expr, dtype=frame.schema[col]))
        .otherwise(pl.col(col)).alias(col)
        for col, expr in values.items()
    )


def _future_date(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series((day_number(FUTURE) + rng.integers(0, 60, n)).astype("int32")).cast(pl.Date)


def inject_delivery_faults(frame: pl.DataFrame, faults: dict[str, int], rng: np.random.Generator) -> pl.DataFrame:
    at = _pick(rng, frame.height, faults)
    frame = _set(frame, at["qty_ordered_not_positive"], qty_ordered=-pl.col("qty_ordered"))
    frame = _set(frame, at["qty_delivered_negative"], qty_delivered=-pl.col("qty_ordered"),
                 delivered_date=pl.col("promised_date"))
    frame = _set(frame, at["rejected_above_delivered"], delivered_date=pl.col("promised_date"),
                 qty_delivered=pl.col("qty_ordered"), qty_rejected=pl.col("qty_ordered") + 3)
    frame = _set(frame, at["unknown_vendor"], vendor_id=pl.lit("X") + pl.col("delivery_id").str.slice(1, 6))
    frame = _set(frame, at["missing_vendor"], vendor_id=None)
    rows = at["delivered_after_as_of"]
    future = np.full(frame.height, None, dtype=object)
    future[rows] = [d for d in _future_date(rng, len(rows)).to_list()]
    frame = _set(frame, rows, delivered_date=pl.Series(future.tolist(), dtype=pl.Date))
    dup = frame[at["exact_duplicate"].tolist()]
    conflict = frame[at["conflicting_duplicate"].tolist()].with_columns(
        # the same delivery sent again with another delivered date (or a date where it had none)
        pl.coalesce(pl.col("delivered_date") + pl.duration(days=1), pl.col("promised_date")).alias("delivered_date"))
    spelt_out = frame[at["defaults_written_out"].tolist()].with_columns(
        # the same delivery exported again with the contract's defaults written out: the same row
        pl.coalesce("qty_delivered", pl.when(pl.col("delivered_date").is_not_null()).then(pl.col("qty_ordered"))
                    .otherwise(pl.lit(0.0))).alias("qty_delivered"),
        pl.col("qty_rejected").fill_null(0.0))
    return pl.concat([frame, dup, conflict, spelt_out])


# ---- complaints ---------------------------------------------------------------------------------

def complaints_month(v: Vendors, month: date, k: int, n: int, faults: dict[str, int], seed: int) -> pl.DataFrame:
    rng = rng_for(seed, "complaints", k)
    vid = rng.choice(len(v.ids), size=n, p=v.complaint_weight)
    start_us = day_number(month) * US_PER_DAY
    opened = start_us + rng.integers(0, days_in(month) * US_PER_DAY, n)
    end_us = (day_number(DATA_END) + 1) * US_PER_DAY - 1
    sev_i = rng.choice(4, size=n, p=SEVERITY_P)
    severity = np.array(SEVERITIES, dtype=object)[sev_i]
    severity[rng.random(n) < 0.05] = None  # empty = medium
    ack = opened + (rng.lognormal(np.log(v.ack_hours[vid]), 1.0) * US_PER_HOUR).astype(np.int64)
    ack_ok = (rng.random(n) < 0.92) & (ack <= end_us)
    promise_days = np.array([PROMISE_DAYS[s] for s in SEVERITIES])[sev_i]
    promised = ack + promise_days * US_PER_DAY
    promised_ok = ack_ok & (rng.random(n) < 0.6)
    sev_factor = np.array([2.0, 1.0, 0.5, 0.25])[sev_i]
    resolved = opened + (rng.lognormal(np.log(v.resolve_days[vid] * sev_factor), 0.8) * US_PER_DAY).astype(np.int64)
    resolved_ok = (rng.random(n) < 0.88) & (resolved <= end_us)
    category = np.array(COMPLAINT_CATEGORIES, dtype=object)[rng.integers(0, len(COMPLAINT_CATEGORIES), n)]
    category[rng.random(n) < 0.03] = None
    disclosed = np.array(["vendor", "customer", None], dtype=object)[rng.choice(3, size=n, p=(0.15, 0.75, 0.10))]

    blank = {c: rng.random(n) < 0.1 for c in ("apologized", "explained", "restitution")}
    frame = pl.DataFrame({
        "_i": np.arange(n),
        "vendor_id": v.id_series.gather(vid),
        "opened_at": opened, "acknowledged_at": ack, "resolved_at": resolved, "promised_resolution_at": promised,
        "_ack": ack_ok, "_resolved": resolved_ok, "_promised": promised_ok,
        "severity": pl.Series(severity.tolist(), dtype=pl.String),
        "category": pl.Series(category.tolist(), dtype=pl.String),
        "disclosed_by": pl.Series(disclosed.tolist(), dtype=pl.String),
        "apologized": rng.random(n) < 0.5, "explained": rng.random(n) < 0.6, "restitution": rng.random(n) < 0.1,
        **{f"_blank_{c}": b for c, b in blank.items()},
    })
    ts = pl.Datetime("us")
    frame = frame.select(
        pl.format("C{}-{}", pl.lit(f"{month:%Y%m}"), pl.col("_i").cast(pl.String).str.zfill(7)).alias("complaint_id"),
        "vendor_id",
        pl.col("opened_at").cast(ts),
        pl.when(pl.col("_ack")).then(pl.col("acknowledged_at").cast(ts)).alias("acknowledged_at"),
        pl.when(pl.col("_resolved")).then(pl.col("resolved_at").cast(ts)).alias("resolved_at"),
        pl.when(pl.col("_promised")).then(pl.col("promised_resolution_at").cast(ts)).alias("promised_resolution_at"),
        "severity", "category", "disclosed_by",
        *[pl.when(~pl.col(f"_blank_{c}")).then(pl.col(c)).alias(c) for c in blank],
        pl.when(pl.col("category").is_not_null())
        .then(pl.format("{} reported on order {}", pl.col("category"), pl.col("_i")))
        .alias("summary"),
    )
    return inject_complaint_faults(frame, faults, rng)


def inject_complaint_faults(frame: pl.DataFrame, faults: dict[str, int], rng: np.random.Generator) -> pl.DataFrame:
    at = _pick(rng, frame.height, faults)
    frame = _set(frame, at["unknown_vendor"], vendor_id=pl.lit("X") + pl.col("complaint_id").str.slice(1, 6))
    frame = _set(frame, at["acknowledged_before_opened"], acknowledged_at=pl.col("opened_at") - pl.duration(hours=2))
    frame = _set(frame, at["resolved_before_opened"], resolved_at=pl.col("opened_at") - pl.duration(days=1))
    frame = _set(frame, at["resolved_after_as_of"],
                 resolved_at=pl.lit(datetime.combine(FUTURE, datetime.min.time())) + pl.duration(hours=pl.col("opened_at").dt.hour()))
    frame = _set(frame, at["unknown_severity"], severity="urgent")
    dup = frame[at["exact_duplicate"].tolist()]
    conflict = frame[at["conflicting_duplicate"].tolist()].with_columns(
        # the ticket exported again after a change of severity
        pl.when(pl.col("severity") == "high").then(pl.lit("critical")).otherwise(pl.lit("high")).alias("severity"))
    spelt_out = frame[at["defaults_written_out"].tolist()].with_columns(
        # the same ticket exported again with the contract's defaults written out: the same row
        pl.col("severity").fill_null("medium"),
        *[pl.col(c).fill_null(False) for c in ("apologized", "explained", "restitution")])
    return pl.concat([frame, dup, conflict, spelt_out])


# ---- announcements ------------------------------------------------------------------------------

EVENTS_PER_ANNOUNCEMENT = 2.3


def announcements_month(v: Vendors, month: date, k: int, n: int, faults: dict[str, int], seed: int) -> pl.DataFrame:
    """The events of n announcements whose first promised ship date falls in `month`."""
    rng = rng_for(seed, "announcements", k)
    end = day_number(DATA_END)
    vid = rng.choice(len(v.ids), size=n, p=v.announce_weight)
    first = day_number(month) + rng.integers(0, days_in(month), n)
    lead = 20 + np.floor(rng.lognormal(np.log(90), 0.6, n)).astype(np.int64)
    announced_on = np.minimum(first - lead, end - rng.integers(0, 45, n))
    presold = rng.random(n) < 0.2
    ids = np.array([f"A{month:%Y%m}-{i:05d}" for i in range(n)], dtype=object)
    products = np.array([f"Product {i:05d} of {month:%Y-%m}" for i in range(n)], dtype=object)
    revisions = np.minimum(rng.poisson(v.slip[vid]), 3)
    revisions = np.where(announced_on < end, revisions, 0)
    events = [dict(announcement_id=ids, vendor_id=v.ids[vid], product=products, event=np.full(n, "announced", dtype=object),
                   event_date=announced_on, promised_ship_date=first, presold=presold)]
    promise, last_event = first.copy(), announced_on.copy()
    for j in range(3):
        has = revisions > j
        # the j-th revision, spread evenly between the announcement and the promise (or the data's end)
        span = np.maximum(np.minimum(promise, end) - announced_on, 1)
        when = np.minimum(np.maximum(announced_on + 1 + (j + 1) * span // (revisions + 1), last_event + 1), end)
        has &= when > last_event
        slip = np.where(rng.random(n) < 0.08, -rng.integers(5, 20, n), rng.integers(14, 90, n))
        promise = np.where(has, promise + slip, promise)
        last_event = np.where(has, when, last_event)
        idx = np.flatnonzero(has)
        events.append(dict(announcement_id=ids[idx], vendor_id=v.ids[vid][idx], product=np.full(len(idx), None, dtype=object),
                           event=np.full(len(idx), "revised", dtype=object), event_date=when[idx],
                           promised_ship_date=promise[idx], presold=np.full(len(idx), None, dtype=object)))
    # shipped near the last promise (never before the last statement), or cancelled, or still open
    ship = np.maximum(promise + rng.integers(-10, 30, n), last_event + 1)
    cancel_on = last_event + 1 + (np.maximum(end - last_event, 1) * rng.random(n)).astype(np.int64)
    cancelled = (rng.random(n) < 0.05) & (cancel_on <= end)
    shipped = ~cancelled & (ship <= end)
    for mask, kind, when in ((shipped, "shipped", ship), (cancelled, "cancelled", cancel_on)):
        idx = np.flatnonzero(mask)
        events.append(dict(announcement_id=ids[idx], vendor_id=v.ids[vid][idx], product=np.full(len(idx), None, dtype=object),
                           event=np.full(len(idx), kind, dtype=object), event_date=when[idx],
                           promised_ship_date=np.full(len(idx), None, dtype=object), presold=np.full(len(idx), None, dtype=object)))
    frame = pl.concat([_events_frame(e) for e in events])
    return inject_announcement_faults(frame, ids, faults, rng)


def _events_frame(e: dict) -> pl.DataFrame:
    def as_date(values) -> pl.Series:
        if values.dtype == object:
            return pl.Series([None if x is None else int(x) for x in values], dtype=pl.Int32).cast(pl.Date)
        return pl.Series(values.astype("int32")).cast(pl.Date)

    return pl.DataFrame({
        "announcement_id": pl.Series(e["announcement_id"].tolist(), dtype=pl.String),
        "vendor_id": pl.Series(e["vendor_id"].tolist(), dtype=pl.String),
        "product": pl.Series(e["product"].tolist(), dtype=pl.String),
        "event": pl.Series(e["event"].tolist(), dtype=pl.String),
        "event_date": as_date(e["event_date"]),
        "promised_ship_date": as_date(e["promised_ship_date"]),
        "presold": pl.Series(e["presold"].tolist(), dtype=pl.Boolean),
    })


def inject_announcement_faults(frame: pl.DataFrame, ids: np.ndarray, faults: dict[str, int],
                               rng: np.random.Generator) -> pl.DataFrame:
    per_announcement = {k: c for k, c in faults.items() if k != "exact_duplicate"}
    at = {kind: ids[rows].tolist() for kind, rows in _pick(rng, len(ids), per_announcement).items()}
    aid, event = pl.col("announcement_id"), pl.col("event")
    frame = frame.with_columns(
        pl.when(aid.is_in(at["unknown_vendor"])).then(pl.lit("X") + aid.str.slice(1, 6)).otherwise(pl.col("vendor_id")).alias("vendor_id"),
        pl.when(aid.is_in(at["announced_without_product"]) & (event == "announced")).then(None).otherwise(pl.col("product")).alias("product"),
        # a first promise of a day before the announcement was made
        pl.when(aid.is_in(at["promise_already_past"]) & (event == "announced"))
          .then(pl.col("event_date") - pl.duration(days=30)).otherwise(pl.col("promised_ship_date")).alias("promised_ship_date"),
    )
    # a revision without the date it promised (the announcement's first revision, or a new one)
    broken = frame.filter(aid.is_in(at["revised_without_date"]) & (event == "announced")).with_columns(
        pl.lit("revised").alias("event"), pl.col("event_date") + pl.duration(days=1),
        pl.lit(None, dtype=pl.Date).alias("promised_ship_date"), pl.lit(None, dtype=pl.String).alias("product"),
        pl.lit(None, dtype=pl.Boolean).alias("presold"))
    announced = frame.filter(event == "announced")
    early_revision = announced.filter(aid.is_in(at["first_event_not_announced"])).with_columns(
        pl.lit("revised").alias("event"), pl.col("event_date") - pl.duration(days=10),
        pl.col("promised_ship_date") + pl.duration(days=30), pl.lit(None, dtype=pl.String).alias("product"),
        pl.lit(None, dtype=pl.Boolean).alias("presold"))
    second_announced = announced.filter(aid.is_in(at["conflicting_announced"])).with_columns(
        pl.col("promised_ship_date") + pl.duration(days=7))
    future_ship = announced.filter(aid.is_in(at["shipped_after_as_of"])).with_columns(
        pl.lit("shipped").alias("event"), pl.lit(FUTURE).alias("event_date"),
        pl.lit(None, dtype=pl.Date).alias("promised_ship_date"), pl.lit(None, dtype=pl.String).alias("product"),
        pl.lit(None, dtype=pl.Boolean).alias("presold"))
    frame = frame.filter(~(aid.is_in(at["shipped_after_as_of"]) & event.is_in(["shipped", "cancelled"])))
    dup_rows = rng.choice(frame.height, size=min(faults["exact_duplicate"], frame.height), replace=False)
    dup = frame[np.sort(dup_rows).tolist()]
    return pl.concat([frame, broken, early_revision, second_announced, future_ship, dup])


# ---- the folder ---------------------------------------------------------------------------------

def cache_key(scale: str, seed: int) -> str:
    return f"{scale}-seed{seed}"


def file_list(root: Path) -> dict[str, int]:
    """Every data file of the folder and its size (the manifest keeps it: a folder that changed is rebuilt)."""
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def manifest_ok(root: Path, scale: str, seed: int) -> bool:
    try:
        m = json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return (m.get("scale") == scale and m.get("seed") == seed and m.get("version") == GENERATOR_VERSION
            and m.get("files") == file_list(root))


def generate(root: Path, scale: str = "10m", seed: int = DEFAULT_SEED, log=print) -> dict:
    """Write the landing folder for a scale (replacing what is there); returns the manifest."""
    spec = SCALES[scale]
    started = time.perf_counter()
    if root.exists():
        shutil.rmtree(root)
    for feed in ("deliveries", "complaints", "announcements"):
        (root / feed).mkdir(parents=True)
    vendors, vendor_frame = make_vendors(spec, seed)
    vendor_frame.write_csv(root / "vendors.csv")
    months = bench_months()
    counts = {"vendors": vendor_frame.height, "deliveries": 0, "complaints": 0, "announcement_events": 0,
              "announcements": 0}
    faults_total: dict[str, dict[str, int]] = {}
    for feed, total, faults, make in (
        ("deliveries", spec.deliveries, DELIVERY_FAULTS, deliveries_month),
        ("complaints", spec.complaints, COMPLAINT_FAULTS, complaints_month),
    ):
        per_month = split_total(total, len(months))
        plan = fault_plan(faults, per_month, seed, feed)
        faults_total[feed] = {kind: int(c.sum()) for kind, c in plan.items()}
        for k, month in enumerate(months):
            frame = make(vendors, month, k, int(per_month[k]), {kind: int(c[k]) for kind, c in plan.items()}, seed)
            frame.write_parquet(root / feed / f"{feed}_{month:%Y-%m}.parquet", statistics=True)
            counts[feed] += frame.height
        log(f"scale data: {feed}: {counts[feed]:,} rows in {len(months)} files ({time.perf_counter() - started:.1f} s)")
    due_months = bench_months(add_months(LAST_MONTH, AHEAD_MONTHS), N_MONTHS + AHEAD_MONTHS)
    per_month = split_total(round(spec.events / EVENTS_PER_ANNOUNCEMENT), len(due_months), growth=0.0)
    plan = fault_plan(ANNOUNCEMENT_FAULTS, per_month, seed, "announcements")
    faults_total["announcements"] = {kind: int(c.sum()) for kind, c in plan.items()}
    for k, month in enumerate(due_months):
        frame = announcements_month(vendors, month, k, int(per_month[k]), {kind: int(c[k]) for kind, c in plan.items()}, seed)
        frame.write_parquet(root / "announcements" / f"announcements_{month:%Y-%m}.parquet", statistics=True)
        counts["announcement_events"] += frame.height
        counts["announcements"] += int(per_month[k])
    seconds = time.perf_counter() - started
    log(f"scale data: announcements: {counts['announcement_events']:,} events of {counts['announcements']:,} "
        f"announcements in {len(due_months)} files ({seconds:.1f} s)")
    manifest = {"scale": scale, "seed": seed, "version": GENERATOR_VERSION, "first_month": f"{months[0]:%Y-%m}",
                "last_month": f"{months[-1]:%Y-%m}", "as_of": AS_OF.isoformat(), "rows": counts,
                "faults": faults_total, "seconds": round(seconds, 2), "files": file_list(root)}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def write_late_deliveries(root: Path, month: date = LAST_MONTH, share: float = 0.002, seed: int = DEFAULT_SEED) -> Path:
    """Late data for a month: a new file of deliveries promised in it (copies of a sample of the
    month's valid-looking rows under new ids), as an export that arrives after the month was scored.
    The caller removes it again (the cached folder's manifest would otherwise no longer match)."""
    source = pl.read_parquet(root / "deliveries" / f"deliveries_{month:%Y-%m}.parquet")
    rng = rng_for(seed, "deliveries", 1000)
    n = max(1, round(share * source.height))
    late = source[np.sort(rng.choice(source.height, size=n, replace=False)).tolist()].with_columns(
        pl.format("D{}-L{}", pl.lit(f"{month:%Y%m}"), pl.int_range(pl.len()).cast(pl.String).str.zfill(7)).alias("delivery_id"))
    path = root / "deliveries" / f"deliveries_{month:%Y-%m}_late.parquet"
    late.write_parquet(path)
    return path


def ensure(data_dir: Path, scale: str, seed: int = DEFAULT_SEED, log=print) -> tuple[Path, dict]:
    """The cached landing folder of (scale, seed) under data_dir, generated when missing or stale."""
    root = data_dir / cache_key(scale, seed) / "landing"
    if manifest_ok(root, scale, seed):
        return root, json.loads((root / "manifest.json").read_text())
    log(f"scale data: generating {scale} (seed {seed}) into {root}")
    return root, generate(root, scale, seed, log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--scale", choices=list(SCALES), default="10m")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    manifest = generate(args.root, args.scale, args.seed)
    print(json.dumps(manifest["rows"]))


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", str(os.cpu_count() or 1))
    main()
