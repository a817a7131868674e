"""The sample landing data: deterministic, valid under docs/data-contract.md, and every
archetype visible in plain numbers computed straight from the files."""
from __future__ import annotations

import collections
import csv
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from pipelines.sample_data import archetypes, generate

ROOT = Path(__file__).resolve().parents[1]
LAST_MONTH = date(2026, 10, 1)
AS_OF = date(2026, 10, 31)
FIRST_MONTH = date(2024, 11, 1)

# The contract's columns, copied from docs/data-contract.md on purpose (not imported).
CONTRACT = {
    "vendors": ["vendor_id", "vendor_name", "category", "is_self", "report_recipients"],
    "deliveries": ["delivery_id", "vendor_id", "promised_date", "delivered_date",
                   "qty_ordered", "qty_delivered", "qty_rejected", "order_value"],
    "complaints": ["complaint_id", "vendor_id", "opened_at", "acknowledged_at", "resolved_at",
                   "promised_resolution_at", "severity", "category", "disclosed_by",
                   "apologized", "explained", "restitution", "summary"],
    "announcements": ["announcement_id", "vendor_id", "product", "event", "event_date",
                      "promised_ship_date", "presold"],
}
RELIABLE, LATE, VAPORWARE, GOOD, BAD = "V003", "V011", "V020", "V015", "V034"
DECLINE, TINY, QUIET, SELF = "V007", "V036", "V014", "SELF"
INCIDENT_MONTH = "2026-02"  # 8 months before LAST_MONTH


# --- reading the files back with plain Python --------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_parquet(path: Path) -> list[dict[str, str]]:
    return [{k: as_text(v) for k, v in row.items()} for row in pl.read_parquet(path).iter_rows(named=True)]


def read_feed(landing: Path, feed: str) -> list[dict[str, str]]:
    if feed == "vendors":
        return read_csv(landing / "vendors.csv")
    rows: list[dict[str, str]] = []
    for path in sorted((landing / feed).iterdir()):
        rows += read_parquet(path) if path.suffix == ".parquet" else read_csv(path)
    return rows


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def num(text: str) -> float:
    return float(text)


def all_files(landing: Path) -> dict[str, bytes]:
    return {p.relative_to(landing).as_posix(): p.read_bytes() for p in sorted(landing.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], float]:
    folder = tmp_path_factory.mktemp("landing")
    started = time.perf_counter()
    counts = generate(folder, LAST_MONTH)
    return folder, counts, time.perf_counter() - started


@pytest.fixture(scope="module")
def feeds(landing) -> dict[str, list[dict[str, str]]]:
    folder = landing[0]
    return {feed: read_feed(folder, feed) for feed in CONTRACT}


# --- shape --------------------------------------------------------------------------------------

def test_same_arguments_give_byte_identical_files(landing, tmp_path: Path) -> None:
    folder, counts, _ = landing
    again = generate(tmp_path / "again", LAST_MONTH)
    assert again == counts
    first, second = all_files(folder), all_files(tmp_path / "again")
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs between runs"


def test_other_seed_gives_other_data(landing, tmp_path: Path) -> None:
    generate(tmp_path, LAST_MONTH, months=2, seed=1)
    other = read_csv(tmp_path / "complaints" / "complaints_2026.csv")
    assert other[0] != read_feed(landing[0], "complaints")[0]


def test_files_written(landing) -> None:
    folder, _, _ = landing
    names = sorted(all_files(folder))
    assert "vendors.csv" in names
    deliveries = [n for n in names if n.startswith("deliveries/")]
    assert [n for n in deliveries if n.endswith(".parquet")] == ["deliveries/deliveries_2025Q4.parquet"]
    assert len(deliveries) == 9  # 2024Q4 .. 2026Q4
    assert all(n.endswith(".csv") for n in names if n.startswith(("complaints/", "announcements/")))
    assert len([n for n in names if n.startswith("complaints/")]) >= 2
    assert len([n for n in names if n.startswith("announcements/")]) >= 2


def test_regeneration_replaces_old_feed_files(tmp_path: Path) -> None:
    generate(tmp_path, date(2013, 2, 1), months=1)  # an earlier sample
    (tmp_path / "deliveries" / "stale.csv").write_text("junk\n")
    (tmp_path / "keep.txt").write_text("not ours")
    generate(tmp_path, date(2013, 2, 1), months=1)
    assert not (tmp_path / "deliveries" / "stale.csv").exists()
    assert (tmp_path / "keep.txt").read_text() == "not ours"


def test_files_the_sample_did_not_write_are_named_before_regeneration_deletes_them(tmp_path: Path) -> None:
    # Review: a late file a user added to the demo's landing folder to try a rerun was deleted by
    # the next `trustcard demo` without a word.
    from pipelines.sample_data import files_not_from_the_sample

    generate(tmp_path, date(2013, 2, 1), months=14)
    assert files_not_from_the_sample(tmp_path) == []  # every file it writes, csv and parquet
    (tmp_path / "deliveries" / "late.csv").write_text("delivery_id\n")
    (tmp_path / "complaints" / "march").mkdir()
    (tmp_path / "complaints" / "march" / "complaints_2013.csv").write_text("complaint_id\n")
    (tmp_path / "announcements" / "announcement_events_2013.csv.bak").write_text("x\n")
    assert files_not_from_the_sample(tmp_path) == [
        "deliveries/late.csv", "complaints/march/complaints_2013.csv", "announcements/announcement_events_2013.csv.bak"]


def test_regeneration_refuses_a_folder_that_is_not_an_earlier_sample(tmp_path: Path) -> None:
    from pipelines.sample_data import NotASampleFolder

    (tmp_path / "deliveries").mkdir()
    (tmp_path / "deliveries" / "export.csv").write_text("delivery_id\n")
    with pytest.raises(NotASampleFolder, match="not trustcard's sample"):
        generate(tmp_path, date(2013, 2, 1), months=1)
    assert (tmp_path / "deliveries" / "export.csv").read_text() == "delivery_id\n"


def test_counts_match_rows(landing, feeds) -> None:
    counts = landing[1]
    assert counts == {
        "vendors": len(feeds["vendors"]), "deliveries": len(feeds["deliveries"]),
        "complaints": len(feeds["complaints"]), "announcement_events": len(feeds["announcements"]),
    }


def test_columns_are_exactly_the_contracts(landing) -> None:
    folder = landing[0]
    for path in [folder / "vendors.csv", *sorted(folder.glob("*/*"))]:
        feed = "vendors" if path.name == "vendors.csv" else path.parent.name
        if path.suffix == ".parquet":
            header = pl.read_parquet_schema(path)
            assert list(header) == CONTRACT[feed], path.name
            assert header["promised_date"] == pl.Date and header["qty_ordered"] == pl.Float64
        else:
            with path.open(encoding="utf-8", newline="") as f:
                assert next(csv.reader(f)) == CONTRACT[feed], path.name
            assert b"\r\n" not in path.read_bytes()


# --- volume -------------------------------------------------------------------------------------

def test_volumes(feeds) -> None:
    months = {f"{FIRST_MONTH.year + (FIRST_MONTH.month - 1 + i) // 12}-{(FIRST_MONTH.month - 1 + i) % 12 + 1:02d}"
              for i in range(24)}
    deliveries = collections.Counter(r["promised_date"][:7] for r in feeds["deliveries"])
    complaints = collections.Counter(ts(r["opened_at"]).strftime("%Y-%m") for r in feeds["complaints"])
    events = collections.Counter(r["event_date"][:7] for r in feeds["announcements"])
    assert set(deliveries) == months and set(complaints) == months
    assert all(2000 <= n <= 4000 for n in deliveries.values()), deliveries
    assert all(150 <= n <= 400 for n in complaints.values()), complaints
    assert 12 <= statistics.mean(events[m] for m in months) <= 120  # dozens a month
    assert 35 <= len(feeds["vendors"]) <= 45
    assert 4 <= len({v["category"] for v in feeds["vendors"]}) <= 5


# --- validity under the contract ----------------------------------------------------------------

def test_keys_unique_and_vendors_known(feeds) -> None:
    vendor_ids = [v["vendor_id"] for v in feeds["vendors"]]
    assert len(set(vendor_ids)) == len(vendor_ids)
    for feed, key in (("deliveries", "delivery_id"), ("complaints", "complaint_id")):
        ids = [r[key] for r in feeds[feed]]
        assert all(ids) and len(set(ids)) == len(ids), feed
    for feed in ("deliveries", "complaints", "announcements"):
        assert {r["vendor_id"] for r in feeds[feed]} <= set(vendor_ids), feed


def test_vendors_valid(feeds) -> None:
    for v in feeds["vendors"]:
        assert v["vendor_name"]
        assert v["is_self"] in ("true", "false", "")
        for address in filter(None, v["report_recipients"].split(";")):
            assert "@" in address and address.endswith(".example"), address
    assert [v["vendor_id"] for v in feeds["vendors"] if v["is_self"] == "true"] == [SELF]


def test_deliveries_valid(feeds) -> None:
    for r in feeds["deliveries"]:
        ordered = num(r["qty_ordered"])
        assert ordered > 0
        assert FIRST_MONTH <= date.fromisoformat(r["promised_date"]) <= AS_OF
        if r["delivered_date"]:
            date.fromisoformat(r["delivered_date"])
        else:
            assert r["qty_delivered"] == "" and r["qty_rejected"] == "", r
        delivered = num(r["qty_delivered"]) if r["qty_delivered"] else (ordered if r["delivered_date"] else 0)
        assert delivered >= 0
        assert 0 <= (num(r["qty_rejected"]) if r["qty_rejected"] else 0) <= delivered, r
        assert num(r["order_value"]) >= 0


def test_complaints_valid(feeds) -> None:
    start = datetime(FIRST_MONTH.year, FIRST_MONTH.month, 1, tzinfo=timezone.utc)
    for r in feeds["complaints"]:
        opened = ts(r["opened_at"])
        assert start <= opened
        for column in ("acknowledged_at", "resolved_at", "promised_resolution_at"):
            if r[column]:
                assert ts(r[column]) >= opened, (column, r)
        if r["promised_resolution_at"]:
            assert r["acknowledged_at"], "a resolution date is promised when acknowledging"
        assert r["severity"] in ("", "low", "medium", "high", "critical")
        assert r["disclosed_by"] in ("", "vendor", "customer")
        for column in ("apologized", "explained", "restitution"):
            assert r[column] in ("", "true", "false")


def test_announcements_valid(feeds) -> None:
    by_id: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for r in feeds["announcements"]:
        assert r["event"] in ("announced", "revised", "shipped", "cancelled")
        assert r["presold"] in ("", "true", "false")
        by_id[r["announcement_id"]].append(r)
    latest_due = date(2027, 4, 30)  # due up to 6 months after the last month
    for events in by_id.values():
        events.sort(key=lambda e: e["event_date"])
        first = events[0]
        assert first["event"] == "announced" and first["product"] and first["promised_ship_date"]
        assert FIRST_MONTH <= date.fromisoformat(first["promised_ship_date"]) <= latest_due
        assert len({e["vendor_id"] for e in events}) == 1
        assert [e["event"] for e in events].count("announced") == 1
        assert len({e["event_date"] for e in events}) == len(events), "one statement a day"
        for e in events[1:-1]:
            assert e["event"] == "revised" and e["promised_ship_date"]
        if events[-1]["event"] in ("shipped", "cancelled"):
            assert events[-1]["promised_ship_date"] == ""


def test_nothing_happens_after_the_as_of(feeds) -> None:
    happened = [date.fromisoformat(r["delivered_date"]) for r in feeds["deliveries"] if r["delivered_date"]]
    happened += [date.fromisoformat(r["event_date"]) for r in feeds["announcements"]]
    for r in feeds["complaints"]:
        for column in ("opened_at", "acknowledged_at", "resolved_at"):
            if r[column]:
                happened.append(ts(r[column]).date())
                assert r[column][:10] <= AS_OF.isoformat()  # the local date too, for offset stamps
    assert max(happened) == AS_OF


# --- realism and escaping fixtures -------------------------------------------------------------

def test_realistic_details(feeds) -> None:
    deliveries = feeds["deliveries"]
    delivered = [r for r in deliveries if r["delivered_date"]]
    assert any(r["qty_delivered"] == "" for r in delivered), "blank = delivered in full"
    assert any(r["qty_delivered"] and num(r["qty_delivered"]) < num(r["qty_ordered"]) for r in delivered)
    assert any(r["qty_delivered"] and num(r["qty_delivered"]) > num(r["qty_ordered"]) for r in delivered)
    assert any(r["qty_rejected"] and num(r["qty_rejected"]) > 0 for r in delivered)
    last_month = [r for r in deliveries if r["promised_date"] >= "2026-10-01"]
    open_share = sum(not r["delivered_date"] for r in last_month) / len(last_month)
    assert 0.01 < open_share < 0.2, open_share
    complaints = feeds["complaints"]
    assert {"low", "medium", "high", "critical"} <= {c["severity"] for c in complaints}
    assert any(not c["resolved_at"] for c in complaints if c["opened_at"] < "2026-06")
    recent = [c for c in complaints if ts(c["opened_at"]) >= datetime(2026, 10, 1, tzinfo=timezone.utc)]
    assert sum(not c["resolved_at"] for c in recent) / len(recent) > 0.1
    stamps = [c["opened_at"] for c in complaints]
    assert any(s.endswith("Z") for s in stamps) and any(s[-6] in "+-" for s in stamps)
    events = {r["event"] for r in feeds["announcements"]}
    assert events == {"announced", "revised", "shipped", "cancelled"}


def test_untrusted_text_fixtures(feeds) -> None:
    names = [v["vendor_name"] for v in feeds["vendors"]]
    assert "Müller & Söhne GmbH" in names
    summaries = [c["summary"] for c in feeds["complaints"]]
    assert any("<script>alert(1)</script>" in s for s in summaries)
    assert any('"' in s for s in summaries)
    assert any('"' in r["product"] and "&" in r["product"] for r in feeds["announcements"])


# --- archetypes ---------------------------------------------------------------------------------

def on_time_by_month(feeds, vendor_id: str) -> dict[str, float]:
    due: dict[str, list[bool]] = collections.defaultdict(list)
    for r in feeds["deliveries"]:
        if r["vendor_id"] == vendor_id:
            due[r["promised_date"][:7]].append(bool(r["delivered_date"]) and r["delivered_date"] <= r["promised_date"])
    return {m: sum(v) / len(v) for m, v in sorted(due.items())}


def overall_on_time(feeds, vendor_id: str) -> float:
    rows = [r for r in feeds["deliveries"] if r["vendor_id"] == vendor_id]
    return sum(bool(r["delivered_date"]) and r["delivered_date"] <= r["promised_date"] for r in rows) / len(rows)


def complaints_of(feeds, vendor_id: str) -> list[dict[str, str]]:
    return [c for c in feeds["complaints"] if c["vendor_id"] == vendor_id]


def hours_to_ack(c: dict[str, str]) -> float:
    return (ts(c["acknowledged_at"]) - ts(c["opened_at"])) / timedelta(hours=1)


def test_archetype_ids() -> None:
    kinds = archetypes()
    assert {k: kinds[k] for k in (RELIABLE, LATE, VAPORWARE, GOOD, BAD, DECLINE, TINY, QUIET, SELF)} == {
        RELIABLE: "reliable", LATE: "chronically late", VAPORWARE: "vaporware",
        GOOD: "stumbles, recovers well", BAD: "stumbles, recovers badly", DECLINE: "slow decline",
        TINY: "tiny", QUIET: "no announcements", SELF: "our own company",
    }


def test_reliable_versus_chronically_late(feeds) -> None:
    reliable, late = overall_on_time(feeds, RELIABLE), overall_on_time(feeds, LATE)
    assert reliable >= 0.97
    assert 0.55 <= late <= 0.75
    assert reliable - late >= 0.25
    late_by = [(date.fromisoformat(r["delivered_date"]) - date.fromisoformat(r["promised_date"])).days
               for r in feeds["deliveries"] if r["vendor_id"] == LATE and r["delivered_date"] > r["promised_date"]]
    assert statistics.median(late_by) >= 3  # several days late
    reliable_complaints = complaints_of(feeds, RELIABLE)
    assert len(reliable_complaints) / 24 < 3  # rare, against ~300 deliveries a month
    assert statistics.median(hours_to_ack(c) for c in reliable_complaints if c["acknowledged_at"]) < 4
    hours_to_fix = [(ts(c["resolved_at"]) - ts(c["opened_at"])) / timedelta(hours=1)
                    for c in reliable_complaints if c["resolved_at"]]
    assert statistics.median(hours_to_fix) < 24


def test_the_reliable_vendor_owns_one_slip_the_month_before_last(feeds) -> None:
    # The latest executive summary's redemption story: serious, not a repeat, opened 30+ days
    # before the last month's end, owned at once and fixed by the date promised.
    slip = [c for c in complaints_of(feeds, RELIABLE) if c["category"] == "mislabelled pallets"]
    assert len(slip) == 1 and slip[0]["opened_at"].startswith("2026-09")
    (c,) = slip
    assert c["severity"] in ("high", "critical") and c["disclosed_by"] == "vendor"
    assert c["apologized"] == c["explained"] == c["restitution"] == "true"
    assert hours_to_ack(c) < 6 and ts(c["resolved_at"]) <= ts(c["promised_resolution_at"])


def test_vaporware(feeds) -> None:
    events: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for r in feeds["announcements"]:
        if r["vendor_id"] == VAPORWARE:
            events[r["announcement_id"]].append(r)
    first = {a: min(e, key=lambda r: r["event_date"]) for a, e in events.items()}
    leads = [(date.fromisoformat(f["promised_ship_date"]) - date.fromisoformat(f["event_date"])).days
             for f in first.values()]
    assert min(leads) >= 365  # announced 12-18 months ahead
    assert any(sum(r["event"] == "revised" for r in e) >= 2 for e in events.values())
    never_shipped = [a for a, e in events.items()
                     if first[a]["presold"] == "true" and not any(r["event"] == "shipped" for r in e)]
    assert never_shipped
    # ... and one of those is overdue: its latest promise is already behind the as-of.
    latest = {a: max((r for r in events[a] if r["promised_ship_date"]), key=lambda r: r["event_date"])
              for a in never_shipped}
    assert any(r["promised_ship_date"] < AS_OF.isoformat() for r in latest.values())


def test_stumble_then_recover_well(feeds) -> None:
    rate = on_time_by_month(feeds, GOOD)
    months = list(rate)
    i = months.index(INCIDENT_MONTH)
    assert rate[INCIDENT_MONTH] < 0.6
    assert statistics.mean(rate[m] for m in months[:i]) > 0.9
    assert rate[months[i + 1]] < rate[months[i + 3]]  # climbs back over months, not at once
    assert rate[months[i + 3]] > 0.88
    burst = [c for c in complaints_of(feeds, GOOD) if c["opened_at"].startswith(INCIDENT_MONTH)
             and c["severity"] in ("high", "critical") and c["category"] == "defective batch"]
    assert len(burst) >= 10
    assert all(c["apologized"] == "true" and c["explained"] == "true" for c in burst)
    assert statistics.median(hours_to_ack(c) for c in burst) < 4
    assert all(c["resolved_at"] and ts(c["resolved_at"]) <= ts(c["promised_resolution_at"]) for c in burst)
    assert sum(c["disclosed_by"] == "vendor" for c in burst) > len(burst) / 2
    assert sum(c["restitution"] == "true" for c in burst) > len(burst) / 2
    later = [c for c in complaints_of(feeds, GOOD) if c["opened_at"] >= "2026-03"]
    assert not [c for c in later if c["category"] == "defective batch"], "no repeat"


def test_stumble_then_recover_badly(feeds) -> None:
    rate = on_time_by_month(feeds, BAD)
    assert rate[INCIDENT_MONTH] < 0.6
    incident = [c for c in complaints_of(feeds, BAD) if c["category"] == "contaminated resin"]
    burst = [c for c in incident if c["opened_at"].startswith(INCIDENT_MONTH)]
    assert len(burst) >= 10
    assert statistics.median(hours_to_ack(c) for c in incident if c["acknowledged_at"]) > 48
    assert not any(c["apologized"] == "true" or c["explained"] == "true" for c in incident)
    assert all(c["disclosed_by"] == "customer" for c in incident)
    promised = [c for c in incident if c["promised_resolution_at"]]
    missed = [c for c in promised if not c["resolved_at"] or ts(c["resolved_at"]) > ts(c["promised_resolution_at"])]
    assert len(missed) > len(promised) / 2
    repeat_months = {ts(c["opened_at"]).strftime("%Y-%m") for c in incident} - {INCIDENT_MONTH}
    assert len(repeat_months) >= 2 and min(repeat_months) > INCIDENT_MONTH


def test_good_recovery_beats_bad_recovery(feeds) -> None:
    good, bad = on_time_by_month(feeds, GOOD), on_time_by_month(feeds, BAD)
    after = [m for m in good if "2026-04" <= m <= "2026-09"]
    assert statistics.mean(good[m] for m in after) > statistics.mean(bad[m] for m in after) + 0.1


def test_slow_decline(feeds) -> None:
    rates = list(on_time_by_month(feeds, DECLINE).values())
    assert statistics.mean(rates[:6]) >= 0.9
    assert statistics.mean(rates[-6:]) <= 0.82
    assert statistics.mean(rates[6:12]) > statistics.mean(rates[12:18])  # drifts, no single cliff


def test_tiny_vendor(feeds) -> None:
    per_month = collections.Counter(r["promised_date"][:7] for r in feeds["deliveries"] if r["vendor_id"] == TINY)
    assert len(per_month) == 24
    assert all(2 <= n <= 3 for n in per_month.values())


def test_no_announcements_vendor_and_who_announces(feeds) -> None:
    announcing = {r["vendor_id"] for r in feeds["announcements"]}
    assert QUIET not in announcing
    assert any(v not in announcing for v in {d["vendor_id"] for d in feeds["vendors"]} - {QUIET})
    tech = {v["vendor_id"] for v in feeds["vendors"] if v["category"] in ("software", "electronics")}
    assert tech <= announcing


# --- other eras and the CLI ---------------------------------------------------------------------

def test_short_span_in_another_era(tmp_path: Path) -> None:
    counts = generate(tmp_path, date(2013, 2, 1), months=3)
    assert counts["vendors"] == 41 and counts["deliveries"] > 5000
    as_of = "2013-02-28"
    for r in read_feed(tmp_path, "deliveries"):
        assert "2012-12-01" <= r["promised_date"] <= as_of
        assert r["delivered_date"] <= as_of
    for r in read_feed(tmp_path, "complaints"):
        for column in ("opened_at", "acknowledged_at", "resolved_at"):
            assert r[column][:10] <= as_of
    assert all(r["event_date"] <= as_of for r in read_feed(tmp_path, "announcements"))


def test_cli(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.sample_data", str(tmp_path), "--last-month", "2013-02", "--months", "2"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert "deliveries=" in out.stdout
    assert (tmp_path / "vendors.csv").exists()
    assert max(r["promised_date"] for r in read_feed(tmp_path, "deliveries")) <= "2013-02-28"
