"""The peer: the contract's base columns of the scorecard in plain pandas, as an analyst would
write them (read the Parquet files, filter, group by). Lives in bench/ only; the bench checks
that its numbers equal trustcard's `scorecard` table.

    python bench/pandas_peer.py LANDING_DIR OUT.parquet [--start 2024-11] [--end 2026-11] [--as-of 2026-11-26]

Rules (docs/data-contract.md): rows failing validation, rows of unknown vendors and every row of
a key seen with conflicting values are left out; an exact duplicate row counts once.
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["deliveries_due", "on_time_rate", "in_full_rate", "open_past_due", "median_days_late",
           "complaints_opened", "median_hours_to_acknowledge", "resolved_on_time_rate", "announcements_due"]
COUNT_COLUMNS = ["deliveries_due", "open_past_due", "complaints_opened", "announcements_due"]
TARGET_DAYS = {"critical": 2, "high": 5, "medium": 15, "low": 30}  # docs/metrics.md: default resolution targets
EVENTS = ["announced", "revised", "shipped", "cancelled"]


def once_per_key(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Exact duplicates count once; a key that appears with different values is left out entirely."""
    frame = frame[frame[key].notna()].drop_duplicates()
    return frame[~frame[key].duplicated(keep=False)]


def valid_vendors(landing: Path) -> pd.Index:
    v = pd.read_csv(landing / "vendors.csv", dtype=str).apply(lambda s: s.str.strip().replace("", np.nan))
    # an empty is_self is false, and 'TRUE', '1', 'yes' one flag: copies that spell it differently are one row
    flag = v["is_self"].str.lower()
    v["is_self"] = flag.map({"true": "true", "1": "true", "yes": "true", "false": "false", "0": "false", "no": "false"}).fillna(
        v["is_self"]).fillna("false")
    v = once_per_key(v, "vendor_id")
    is_self_ok = v["is_self"].isna() | v["is_self"].str.lower().isin(["true", "false", "1", "0", "yes", "no"])
    short = (v[["vendor_name", "category", "report_recipients"]].apply(lambda s: s.str.len()).fillna(0) <= 10_000).all(axis=1)
    return pd.Index(v.loc[v["vendor_name"].notna() & is_self_ok & short, "vendor_id"].sort_values())


def delivery_columns(landing: Path, vendors: pd.Index, start: date, end: date, as_of: date) -> pd.DataFrame:
    d = pd.read_parquet(landing / "deliveries")
    # the contract's defaults written out equal them left empty (as staging compares copies of a key)
    d["qty_rejected"] = d["qty_rejected"].fillna(0)
    d["qty_delivered"] = d["qty_delivered"].fillna(d["qty_ordered"].where(d["delivered_date"].notna(), 0))
    d = once_per_key(d, "delivery_id")
    d["promised_date"] = pd.to_datetime(d["promised_date"])
    d["delivered_date"] = pd.to_datetime(d["delivered_date"])
    as_of = pd.Timestamp(as_of)
    delivered_qty = d["qty_delivered"].fillna(d["qty_ordered"].where(d["delivered_date"].notna(), 0))
    ok = (
        d["vendor_id"].isin(vendors)
        & d["promised_date"].notna()
        & (d["qty_ordered"] > 0)
        & ~(d["qty_delivered"] < 0)
        & ~(d["qty_rejected"] < 0)
        & ~(d["qty_rejected"] > delivered_qty)
        & ~(d["order_value"] < 0)
        & ~(d["delivered_date"] > as_of)
        & ~(d["delivered_date"] < d["promised_date"] - pd.DateOffset(years=5))
        & ~(d["promised_date"] > as_of + pd.DateOffset(years=5))
        & np.isfinite(d[["qty_ordered"]]).all(axis=1)
    )
    d = d[ok & (d["promised_date"] >= pd.Timestamp(start)) & (d["promised_date"] < pd.Timestamp(end))].copy()
    d["month"] = d["promised_date"].dt.to_period("M").dt.to_timestamp()
    d["on_time"] = d["delivered_date"] <= d["promised_date"]
    d["in_full"] = d["delivered_date"].notna() & (d["qty_delivered"].fillna(d["qty_ordered"]) >= d["qty_ordered"])
    d["open"] = d["delivered_date"].isna()
    late = d["delivered_date"] > d["promised_date"]
    d["days_late"] = (d["delivered_date"] - d["promised_date"]).dt.days.where(late)
    return d.groupby(["vendor_id", "month"]).agg(
        deliveries_due=("delivery_id", "size"),
        on_time_rate=("on_time", "mean"),
        in_full_rate=("in_full", "mean"),
        open_past_due=("open", "sum"),
        median_days_late=("days_late", "median"),
    )


def complaint_columns(landing: Path, vendors: pd.Index, start: date, end: date, as_of: date) -> pd.DataFrame:
    c = pd.read_parquet(landing / "complaints")
    c["severity"] = c["severity"].fillna("medium")
    for step in ("apologized", "explained", "restitution"):
        c[step] = c[step].fillna(False).astype(bool)
    c = once_per_key(c, "complaint_id")
    last_day = pd.Timestamp(as_of) + pd.Timedelta(days=1)  # a timestamp on the as-of date is not after it
    ok = (
        c["vendor_id"].isin(vendors)
        & c["opened_at"].notna()
        & (c["opened_at"] < last_day)
        & ~(c["acknowledged_at"] < c["opened_at"]) & ~(c["acknowledged_at"] >= last_day)
        & ~(c["resolved_at"] < c["opened_at"]) & ~(c["resolved_at"] >= last_day)
        & ~(c["promised_resolution_at"] < c["opened_at"])
        & ~(c["promised_resolution_at"] >= last_day + pd.DateOffset(years=5))
        & (c["severity"].isna() | c["severity"].isin(list(TARGET_DAYS)))
        & (c["disclosed_by"].isna() | c["disclosed_by"].isin(["vendor", "customer"]))
        & ~(c["category"].str.len() > 10_000)
    )
    c = c[ok & (c["opened_at"] >= pd.Timestamp(start)) & (c["opened_at"] < pd.Timestamp(end))].copy()
    c["month"] = c["opened_at"].dt.to_period("M").dt.to_timestamp()
    c["hours_to_acknowledge"] = (c["acknowledged_at"] - c["opened_at"]).dt.total_seconds() / 3600
    target = pd.to_timedelta(c["severity"].fillna("medium").map(TARGET_DAYS), unit="D")
    due = c["promised_resolution_at"].fillna(c["opened_at"] + target)
    c["resolved_on_time"] = c["resolved_at"].notna() & (c["resolved_at"] <= due)
    return c.groupby(["vendor_id", "month"]).agg(
        complaints_opened=("complaint_id", "size"),
        median_hours_to_acknowledge=("hours_to_acknowledge", "median"),
        resolved_on_time_rate=("resolved_on_time", "mean"),
    )


def announcement_columns(landing: Path, vendors: pd.Index, start: date, end: date, as_of: date) -> pd.DataFrame:
    e = pd.read_parquet(landing / "announcements").drop_duplicates()  # events: only exact copies are duplicates
    e = e[e["announcement_id"].notna()].copy()
    e["event_date"] = pd.to_datetime(e["event_date"])
    e["promised_ship_date"] = pd.to_datetime(e["promised_ship_date"])
    e["event"] = e["event"].where(e["event"].isin(EVENTS))
    announced = e["event"] == "announced"
    as_of = pd.Timestamp(as_of)
    e["announced"] = announced
    e["announced_ok"] = (
        announced & e["vendor_id"].isin(vendors) & e["product"].notna() & e["event_date"].notna()
        & e["promised_ship_date"].notna() & ~(e["product"].str.len() > 10_000)
        & (e["event_date"] <= as_of) & (e["promised_ship_date"] <= as_of + pd.DateOffset(years=10))
        & (e["promised_ship_date"] >= e["event_date"])
    )
    # an event rejected for a problem of its own leaves its announcement out whole (the product
    # spares one with a sound copy: the bench data repeats events only exactly)
    needs_promise = e["event"].isin(["announced", "revised"])
    e["event_bad"] = ~(
        e["vendor_id"].isin(vendors) & e["event"].notna() & e["event_date"].notna() & (e["event_date"] <= as_of)
        & ~(needs_promise & e["promised_ship_date"].isna())
        & ~(e["promised_ship_date"] > as_of + pd.DateOffset(years=10)) & ~(e["product"].str.len() > 10_000)
        & ~(announced & (e["promised_ship_date"] < e["event_date"]))
    )
    e["terminal"] = e["event"].isin(["shipped", "cancelled"])
    e["announced_on"] = e["event_date"].where(announced)
    e["other_on"] = e["event_date"].where(e["event"].notna() & ~announced)
    e["first_promise"] = e["promised_ship_date"].where(announced)
    e["announcer"] = e["vendor_id"].where(announced)
    a = e.groupby("announcement_id").agg(
        vendors=("vendor_id", "nunique"), announced=("announced", "sum"), announced_ok=("announced_ok", "sum"),
        terminal=("terminal", "sum"), announced_on=("announced_on", "min"), other_on=("other_on", "min"),
        first_promise=("first_promise", "min"), vendor_id=("announcer", "first"), bad_events=("event_bad", "sum"),
    )
    # An announcement counts when its history holds: one valid announced event, no event rejected,
    # one vendor, at most one shipment or cancellation, and nothing said before it was announced.
    a = a[(a["vendors"] <= 1) & (a["announced"] == 1) & (a["announced_ok"] == 1) & (a["terminal"] <= 1) & (a["bad_events"] == 0)
          & ~(a["other_on"] < a["announced_on"])]
    a = a[(a["first_promise"] >= pd.Timestamp(start)) & (a["first_promise"] < pd.Timestamp(end))].copy()
    a["month"] = a["first_promise"].dt.to_period("M").dt.to_timestamp()
    return a.groupby(["vendor_id", "month"]).agg(announcements_due=("first_promise", "size"))


def scorecard_columns(landing: Path, start: date, end: date, as_of: date) -> pd.DataFrame:
    """One row per valid vendor and month in [start, end), the contract's base columns."""
    vendors = valid_vendors(landing)
    months = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="MS", inclusive="left")
    grid = pd.MultiIndex.from_product([vendors, months], names=["vendor_id", "month"])
    out = pd.concat([
        delivery_columns(landing, vendors, start, end, as_of),
        complaint_columns(landing, vendors, start, end, as_of),
        announcement_columns(landing, vendors, start, end, as_of),
    ], axis=1).reindex(grid)
    out[COUNT_COLUMNS] = out[COUNT_COLUMNS].fillna(0).astype("int64")
    out = out[COLUMNS].reset_index()
    out["month"] = out["month"].dt.date
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--start", default="2024-11")
    parser.add_argument("--end", default="2026-11")
    parser.add_argument("--as-of", default="2026-11-26")
    args = parser.parse_args()
    first = date.fromisoformat(args.start + "-01")
    end = date.fromisoformat(args.end + "-01")
    scorecard_columns(args.landing, first, end, date.fromisoformat(args.as_of)).to_parquet(args.out, index=False)


if __name__ == "__main__":
    main()
