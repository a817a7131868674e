"""The scorecard's columns against hand-computed values (docs: data-contract.md, trust-model.md).

One landing folder holds a small vendor per scenario, each in a category of its own unless the
scenario needs peers, and every expected number is worked out by hand (the arithmetic is in the
comment beside it). Scores are shrunk toward the category, the category toward the portfolio and
the portfolio toward a fixed fallback (docs/metrics.md), so expected scores use October's portfolio
as counted by hand below.
The folder goes through ONE real Dagster run of months 2026-05..2026-10 (module fixture);
2026-05 has nothing at all in it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import DELIVERY_HEADER, Landing, query, run_months, write_csv

from pipelines.defs.scorecard.model import grade, load_model, trust_path

MAY, JUN, JUL, AUG, SEP, OCT = (date(2026, m, 1) for m in range(5, 11))
APPROX = dict(abs=1e-9)

# October's deliveries due, counted by hand from build_landing: (on time, in full, defect-free, due).
#   VDEL 2/5/6 of 7, VOVER 3/3/3 of 3, VOPEN 0/0/0 of 2, VDUP 1/2/2 of 2, VREDATE 1/2/2 of 2,
#   VSMALL 2/2/2 of 2, VBIG 990/1000/1000 of 1000, VPEER 80/100/100 of 100, VMEM 10 of 10,
#   VREC_NONE, VREC_GOOD, VREC_BAD, VREC_QUIET 4 of 4 each
OCT_PORTFOLIO = (2 + 3 + 0 + 1 + 1 + 2 + 990 + 80 + 10 + 16, 5 + 3 + 0 + 2 + 2 + 2 + 1000 + 100 + 10 + 16,
                 6 + 3 + 0 + 2 + 2 + 2 + 1000 + 100 + 10 + 16, 7 + 3 + 2 + 2 + 2 + 2 + 1000 + 100 + 10 + 16)


def shrunk(k: float, n: float, p: float, m: float = 10) -> float:
    """k of n with m imaginary records at rate p (docs/metrics.md, "Shrinkage")."""
    return (k + m * p) / (n + m)


def delivery_score(vendor: tuple, category: tuple, portfolio: tuple = OCT_PORTFOLIO) -> float:
    """The delivery pillar by hand; each tuple is (on time, in full, defect-free, due)."""
    rates = []
    for i in range(3):
        prior = shrunk(category[i], category[3], shrunk(portfolio[i], portfolio[3], 0.5, m=1))
        rates.append(shrunk(vendor[i], vendor[3], prior))
    blend = 0.5 * rates[0] + 0.3 * rates[1] + 0.2 * rates[2]
    return 100 * max(0.0, (blend - 0.5) / 0.5)


def d(delivery_id, vendor, promised, delivered="", qty="10", qty_delivered="", rejected="0", value=""):
    return [delivery_id, vendor, promised, delivered, qty, qty_delivered, rejected, value]


def c(complaint_id, vendor, opened, ack="", resolved="", promised="", severity="", category="",
      disclosed="", apologized="", explained="", restitution="", summary=""):
    return [complaint_id, vendor, opened, ack, resolved, promised, severity, category, disclosed,
            apologized, explained, restitution, summary]


def every_day(month: date, n: int) -> list[str]:
    return [(month + timedelta(days=i)).isoformat() for i in range(n)]


VENDORS = [
    # vendor_id, vendor_name, category, is_self, report_recipients
    ["VDEL", "Deliveries basic", "cat_del", "false", ""],
    ["VOVER", "Over-deliverer", "cat_over", "false", ""],
    ["VOPEN", "Never delivers", "cat_open", "false", ""],
    ["VDUP", "Duplicated export", "cat_dup", "false", ""],
    ["VREDATE", "Re-dater", "cat_redate", "false", ""],
    ["VIDLE", "Idle, no rows at all", "cat_idle", "false", ""],
    ["VCMP", "Complaints", "cat_cmp", "false", ""],
    ["VREP", "Repeats a failure", "cat_rep", "false", ""],
    ["VANN", "Announcer", "cat_ann", "false", ""],
    ["VSMALL", "2 of 2", "cat_shrink", "false", ""],
    ["VBIG", "990 of 1000", "cat_shrink", "false", ""],
    ["VPEER", "80 of 100", "cat_shrink", "false", ""],
    ["VMEM", "One bad month", "cat_mem", "false", ""],
    ["VREC_NONE", "No complaint", "cat_rec", "false", ""],
    ["VREC_GOOD", "Repairs well", "cat_rec", "false", ""],
    ["VREC_BAD", "Repairs badly", "cat_rec", "false", ""],
    ["VREC_QUIET", "Quiet since", "cat_quiet", "false", ""],
    ["VMS", "Sub-second answers", "cat_ms", "false", ""],
]


def build_landing(landing: Landing) -> None:
    landing.vendors(VENDORS)
    deliveries = [
        # VDEL, October: 7 due.
        d("D1", "VDEL", "2026-10-05", "2026-10-05", "10", "10"),        # on time, in full
        d("D2", "VDEL", "2026-10-06", "2026-10-04", "10", "12"),        # early, over-delivered = in full
        d("D3", "VDEL", "2026-10-07", "2026-10-10", "10", ""),          # 3 days late; blank qty = in full
        d("D4", "VDEL", "2026-10-08", "2026-10-15", "10", "8"),         # 7 days late, short
        d("D5", "VDEL", "2026-10-09", "", "10", "", ""),                # open past due
        d("D6", "VDEL", "2026-10-31", "2026-11-02", "10", "10"),        # 2 days late (promised in Oct)
        d("D9", "VDEL", "2026-10-12", "2026-10-22", "10", "10"),        # 10 days late
        d("D8", "VDEL", "2026-09-30", "2026-10-01", "10", ""),          # September: 1 day late
        d("D7", "VDEL", "2026-11-01", "2026-11-01", "10", "10"),        # November: not October's
        # VOVER: everything over-delivered, on time.
        d("O1", "VOVER", "2026-10-05", "2026-10-05", "10", "15"),
        d("O2", "VOVER", "2026-10-06", "2026-10-06", "10", "10.5"),
        d("O3", "VOVER", "2026-10-07", "2026-10-01", "1", "3"),
        # VOPEN: nothing delivered; one row even carries a quantity without a delivered_date.
        d("P1", "VOPEN", "2026-10-01", "", "5", "", ""),
        d("P2", "VOPEN", "2026-10-02", "", "5", "5", ""),
        # VDUP: DUP1 is exactly repeated in deliveries_b.csv (below).
        d("DUP1", "VDUP", "2026-10-10", "2026-10-12", "10", "10"),
    ]
    # VSMALL 2/2, VBIG 990/1000, VPEER 80/100 on time; late ones are 1 day late; all in full, no defects.
    deliveries += [d(f"S{i}", "VSMALL", "2026-10-15", "2026-10-15") for i in range(2)]
    deliveries += [d(f"B{i}", "VBIG", "2026-10-15", "2026-10-15" if i < 990 else "2026-10-16") for i in range(1000)]
    deliveries += [d(f"E{i}", "VPEER", "2026-10-15", "2026-10-15" if i < 80 else "2026-10-16") for i in range(100)]
    # VMEM: 10 a month June..October, all on time and in full, except July: none delivered.
    for month in (JUN, JUL, AUG, SEP, OCT):
        for i, day in enumerate(every_day(month, 10)):
            deliveries.append(d(f"M{month:%m}{i}", "VMEM", day, "" if month == JUL else day, "10", "10"))
    # The three recovery vendors: the same 4 on-time, in-full October deliveries each.
    for vendor in ("VREC_NONE", "VREC_GOOD", "VREC_BAD", "VREC_QUIET"):
        deliveries += [d(f"{vendor}-{i}", vendor, day, day) for i, day in enumerate(every_day(date(2026, 10, 5), 4))]
    landing.deliveries(deliveries)
    landing.deliveries([d("DUP1", "VDUP", "2026-10-10", "2026-10-12", "10", "10"),
                        d("DUP2", "VDUP", "2026-10-11", "2026-10-11", "10", "10")], name="deliveries_b.csv")
    # A re-dated delivery: the export keeps the original promised_date and carries the new date in an
    # extra column, which the metrics must ignore.
    write_csv(landing.root / "deliveries" / "redated.csv", DELIVERY_HEADER + ["rescheduled_date"], [
        d("RD1", "VREDATE", "2026-10-05", "2026-10-20", "10", "10") + ["2026-10-20"],
        d("RD2", "VREDATE", "2026-10-06", "2026-10-06", "10", "10") + ["2026-10-06"],
    ])

    landing.complaints([
        # VCMP, October (in UTC).
        c("C1", "VCMP", "2026-10-02T08:00:00Z", "2026-10-02T10:00:00Z", "2026-10-04T08:00:00Z",
          "2026-10-05T08:00:00Z", "medium"),                     # ack 2 h; resolved before the promise
        c("C2", "VCMP", "2026-10-03T09:00:00+02:00", "2026-10-03T12:30:00Z", "2026-10-06T00:00:00Z",
          "2026-10-04T00:00:00Z", "medium"),                     # opened 07:00Z, ack 5.5 h; promise missed
        c("C3", "VCMP", "2026-09-30T23:30:00-02:00", "2026-10-01T03:30:00+01:00", "2026-10-06T01:30:00Z",
          "", "high"),                                           # = 2026-10-01T01:30Z; ack 02:30Z = 1 h;
                                                                 # high target 5 d -> due 10-06T01:30Z: on time
        # C4: never acknowledged; low 30 d -> due 11-09T00:00Z, resolved 1 s late
        c("C4", "VCMP", "2026-10-10T00:00:00", "", "2026-11-09T00:00:01Z", "", "low"),
        # C5: ack 24 h; blank severity = medium 15 d -> due 10-27: on time
        c("C5", "VCMP", "2026-10-12T00:00:00Z", "2026-10-13T00:00:00Z", "2026-10-26T00:00:00Z"),
        c("C8", "VCMP", "2026-10-14T00:00:00Z", "", "2026-10-19T00:00:00Z", "2026-10-20T00:00:00Z", "critical"),
                                                                 # default 2 d would be missed; the promise was kept
        c("C6", "VCMP", "2026-10-31T23:30:00-02:00"),            # = 2026-11-01T01:30Z: November's
        c("C7", "VCMP", "2026-10-01T00:30:00+02:00"),            # = 2026-09-30T22:30Z: September's; open
        # VREP: repeats of a failure category.
        c("R0", "VREP", "2026-06-20T00:00:00Z", "", "2026-07-01T00:00:00Z", "", "", "damaged goods"),
        c("R1", "VREP", "2026-08-01T00:00:00Z", "", "2026-08-05T00:00:00Z", "", "", "late shipment"),
        c("R4", "VREP", "2026-08-03T00:00:00Z", "", "2026-08-10T00:00:00Z", "", "", "late shipment"),
        c("R5", "VREP", "2026-09-30T00:00:00Z", "", "2026-10-02T00:00:00Z", "", "", "damaged goods"),
        c("R2", "VREP", "2026-10-20T00:00:00Z", "", "2026-10-22T00:00:00Z", "", "", "late shipment"),
        c("R3", "VREP", "2026-10-21T00:00:00Z", "", "2026-10-22T00:00:00Z", "", "", "billing"),
        # VMS: acknowledged within a second, timestamps with fractions of a second.
        c("F1", "VMS", "2026-10-02T08:00:00.750Z", "2026-10-02T08:00:01.250Z"),  # 0.5 s
        c("F2", "VMS", "2026-10-02T09:00:00.250Z", "2026-10-02T09:00:00.950Z"),  # 0.7 s
        # Recovery: the same medium complaint, repaired well and badly.
        c("G1", "VREC_GOOD", "2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z", "2026-10-07T10:00:00Z",
          "2026-10-08T10:00:00Z", "medium", "quality", "vendor", "true", "true", "true"),
        c("B1", "VREC_BAD", "2026-10-05T10:00:00Z", "2026-10-09T14:00:00Z", "2026-10-25T10:00:00Z",
          "", "medium", "quality", "customer", "false", "false", "false"),
        # VREC_QUIET: one complaint in September, none in October.
        c("Q1", "VREC_QUIET", "2026-09-05T10:00:00Z", "2026-09-05T11:00:00Z", "2026-09-07T10:00:00Z"),
    ])

    landing.announcements([
        # announcement_id, vendor_id, product, event, event_date, promised_ship_date, presold
        ["A1", "VANN", "Widget 1", "announced", "2026-03-01", "2026-10-15", "false"],
        ["A1", "VANN", "", "revised", "2026-09-01", "2026-12-15", ""],       # re-dated: still due in October
        ["A2", "VANN", "Widget 2", "announced", "2026-04-01", "2026-09-20", "false"],
        ["A2", "VANN", "", "shipped", "2026-09-18", "", ""],
        ["A3", "VANN", "Widget 3", "announced", "2026-05-01", "2026-11-10", "false"],
        ["A3", "VANN", "", "revised", "2026-06-01", "2026-10-05", ""],       # pulled into October: still November's
        ["A4", "VANN", "Widget 4", "announced", "2026-02-01", "2026-10-31", "false"],
        ["A4", "VANN", "", "shipped", "2026-10-30", "", ""],
        ["A5", "VANN", "Widget 5", "announced", "2026-02-01", "2026-08-20", "false"],
        ["A5", "VANN", "", "revised", "2026-08-01", "2026-10-10", ""],       # slipped into October: August's
    ])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("metrics")
    landing = Landing(root / "landing")
    build_landing(landing)
    db_path = root / "trustcard.duckdb"
    result = run_months(landing.root, db_path, MAY, OCT, dagster_home=root / "dagster_home")
    assert result.success
    return db_path


def row(db, vendor: str, month: date, *cols: str) -> tuple:
    rows = query(db, f"SELECT {', '.join(cols)} FROM scorecard WHERE vendor_id = ? AND month = ?", [vendor, month])
    assert len(rows) == 1, (vendor, month, rows)
    return rows[0]


def test_fixture_rows_all_valid(db):
    # Every row written above is valid: nothing may have been dropped silently into quarantine.
    assert query(db, "SELECT feed, source_file, row_number, reason FROM quarantine") == []
    # One row per vendor per month: 18 vendors x 6 months = 108.
    assert query(db, "SELECT count(*), count(DISTINCT (vendor_id, month)) FROM scorecard") == [(108, 108)]


# ------------------------------------------------------------------------------------------------
# Deliveries
# ------------------------------------------------------------------------------------------------

def test_delivery_columns(db):
    due, on_time, in_full, open_, median_late = row(
        db, "VDEL", OCT, "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due", "median_days_late")
    assert due == 7                                  # D1 D2 D3 D4 D5 D6 D9 (D8 is Sept, D7 Nov)
    assert on_time == pytest.approx(2 / 7, **APPROX)  # D1 (on the day), D2 (early); D5 open = late
    assert in_full == pytest.approx(5 / 7, **APPROX)  # D1 10/10, D2 12/10, D3 blank, D6, D9; not D4 8/10, D5 open
    assert open_ == 1                                # D5
    # late ones: D6 2, D3 3, D4 7, D9 10 days -> even count: (3 + 7) / 2 = 5
    assert median_late == pytest.approx(5.0, **APPROX)
    # days-late distribution: 1-3 days D6 (2), D3 (3); 4-7 D4 (7); 8-14 D9 (10); 15+ none
    assert row(db, "VDEL", OCT, "late_1_3_days", "late_4_7_days", "late_8_14_days", "late_15_plus_days") == (2, 1, 1, 0)


def test_delivery_month_boundary_and_odd_median(db):
    # D8 promised 2026-09-30, delivered 10-01: September's, 1 day late, blank qty = in full.
    assert row(db, "VDEL", SEP, "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due",
               "median_days_late") == (1, 0.0, 1.0, 0, 1.0)


def test_over_delivery_counts_in_full_and_rates_never_exceed_one(db):
    # 3 due, all on or before the promise; delivered 15/10, 10.5/10, 3/1: each in full -> 3/3 = 1.0
    # (a quantity ratio would give 28.5/21 > 1).
    assert row(db, "VOVER", OCT, "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due",
               "median_days_late") == (3, 1.0, 1.0, 0, None)
    assert query(db, "SELECT max(greatest(on_time_rate, in_full_rate, on_time_high)) FROM scorecard")[0][0] <= 1.0


def test_open_deliveries_are_late_not_in_full_and_past_due(db):
    # P1, P2 never delivered (P2 carries qty_delivered 5 but no date): 0/2 on time, 0/2 in full,
    # 2 open, and no delivered-late value for the median.
    assert row(db, "VOPEN", OCT, "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due",
               "median_days_late") == (2, 0.0, 0.0, 2, None)


def test_exact_duplicate_across_files_counts_once(db):
    # DUP1 is in deliveries.csv and deliveries_b.csv, identical; DUP2 only in b: 2 due, not 3.
    # DUP1 2 days late, DUP2 on time: 1/2 on time; median of [2] = 2.
    assert row(db, "VDUP", OCT, "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due",
               "median_days_late") == (2, 0.5, 1.0, 0, 2.0)
    assert query(db, "SELECT count(*) FROM deliveries WHERE delivery_id = 'DUP1'") == [(1,)]


def test_redated_delivery_is_judged_against_its_promised_date(db):
    # RD1 promised 10-05, rescheduled (extra column) and delivered 10-20: late by 20 - 5 = 15 days.
    # RD2 on time. 1/2 on time, median of [15] = 15.
    assert row(db, "VREDATE", OCT, "deliveries_due", "on_time_rate", "open_past_due",
               "median_days_late") == (2, 0.5, 0, 15.0)
    assert row(db, "VREDATE", OCT, "late_15_plus_days") == (1,)


def test_nothing_due_is_null_not_zero_nor_hundred(db):
    # VIDLE is in vendors.csv and has no row in any feed: a row anyway, counts 0, every rate NULL.
    assert row(db, "VIDLE", OCT, "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due",
               "median_days_late", "complaints_opened", "median_hours_to_acknowledge", "resolved_on_time_rate",
               "announcements_due", "on_time_low", "on_time_high", "delivery_score", "promise_score",
               "recovery_score", "month_score", "trust_score", "grade") == (
        0, None, None, 0, None, 0, None, None, 0, None, None, None, None, None, None, None, None)


def test_a_month_with_nothing_at_all(db):
    # May 2026: no delivery promised, no complaint opened, no announcement due, for anyone.
    rows = query(db, """SELECT vendor_id, deliveries_due, on_time_rate, in_full_rate, open_past_due, median_days_late,
                               complaints_opened, median_hours_to_acknowledge, resolved_on_time_rate,
                               announcements_due, month_score, trust_score
                        FROM scorecard WHERE month = ? ORDER BY vendor_id""", [MAY])
    assert [r[0] for r in rows] == sorted(v[0] for v in VENDORS)  # still a row for every vendor
    assert all(r[1:] == (0, None, None, 0, None, 0, None, None, 0, None, None) for r in rows), rows


# ------------------------------------------------------------------------------------------------
# Wilson interval and shrinkage
# ------------------------------------------------------------------------------------------------

def test_wilson_interval(db):
    # 2 of 7 (VDEL, October), z = 1.96, z^2 = 3.8416:
    #   p = 2/7 = 0.2857142857; centre = p + z^2/(2n) = 0.2857142857 + 0.2744 = 0.5601142857
    #   radius = z * sqrt(p(1-p)/n + z^2/(4n^2)) = 1.96 * sqrt(0.0291545190 + 0.0196)
    #          = 1.96 * sqrt(0.0487545190) = 1.96 * 0.2208042549 = 0.4327763395
    #   denominator = 1 + z^2/n = 1 + 0.5488 = 1.5488
    #   low = (0.5601142857 - 0.4327763395) / 1.5488 = 0.0822171657
    #   high = (0.5601142857 + 0.4327763395) / 1.5488 = 0.6410709099
    low, high = row(db, "VDEL", OCT, "on_time_low", "on_time_high")
    assert low == pytest.approx(0.0822171657, abs=1e-9)
    assert high == pytest.approx(0.6410709099, abs=1e-9)
    # 2 of 2 (VSMALL): p = 1; centre = 1 + 3.8416/4 = 1.9604; radius = 1.96 * sqrt(0 + 3.8416/16)
    #   = 1.96 * 0.49 = 0.9604; denominator = 1 + 3.8416/2 = 2.9208
    #   low = (1.9604 - 0.9604) / 2.9208 = 1 / 2.9208 = 0.3423719529; high = 2.9208 / 2.9208 = 1
    low, high = row(db, "VSMALL", OCT, "on_time_low", "on_time_high")
    assert low == pytest.approx(1 / 2.9208, abs=1e-9)
    assert high == pytest.approx(1.0, abs=1e-9)
    # 990 of 1000 (VBIG): centre = 0.99 + 3.8416/2000 = 0.9919208;
    #   radius = 1.96 * sqrt(0.99*0.01/1000 + 3.8416/4e6) = 1.96 * sqrt(0.0000099 + 0.0000009604)
    #          = 1.96 * sqrt(0.0000108604) = 1.96 * 0.0032955121 = 0.0064592037; denominator 1.0038416
    #   low = 0.9854615963 / 1.0038416 = 0.9816903347; high = 0.9983800037 / 1.0038416 = 0.9945593047
    low, high = row(db, "VBIG", OCT, "on_time_low", "on_time_high")
    assert low == pytest.approx(0.9816903347, abs=1e-9)
    assert high == pytest.approx(0.9945593047, abs=1e-9)
    # The small sample's interval is the wider one and contains the big one's.
    assert 1 / 2.9208 < low < high < 1.0


def test_october_portfolio_as_counted_by_hand(db):
    # The hand count that the expected scores below rest on.
    got = query(db, """SELECT sum(on_time_in_tolerance), sum(in_full), sum(defect_free), sum(deliveries_due)
                       FROM delivery_metrics WHERE month = ?""", [OCT])[0]
    assert got == OCT_PORTFOLIO == (1105, 1140, 1141, 1144)


def test_small_sample_does_not_outrank_large_one(db):
    # Portfolio priors (toward 0.5 with 1 imaginary delivery): on time (1105 + 0.5) / 1145 = 0.9655021834,
    #   in full (1140 + 0.5) / 1145 = 0.9960698690, defect-free (1141 + 0.5) / 1145 = 0.9969432314.
    # Category cat_shrink pools 2 + 990 + 80 = 1072 on time of 2 + 1000 + 100 = 1102, all in full and
    #   defect-free; shrunk toward the portfolio: on time (1072 + 9.655021834) / 1112 = 0.9727113506,
    #   in full (1102 + 9.960698690) / 1112 = 0.9999646571, defect-free (1102 + 9.969432314) / 1112 = 0.9999725111.
    # VSMALL: on time (2 + 9.727113506) / 12 = 0.9772594588, in full (2 + 9.999646571) / 12 = 0.9999705476,
    #   defect-free 0.9999770926; blend = 0.4886297294 + 0.2999911643 + 0.1999954185 = 0.9886163122 -> 97.723
    # VBIG: on time (990 + 9.727113506) / 1010 = 0.9898288253, in full 0.9999996501, defect-free 0.9999997278;
    #   blend = 0.4949144126 + 0.2999998950 + 0.1999999456 = 0.9949142532 -> 98.983
    small_rate, small = row(db, "VSMALL", OCT, "on_time_rate", "delivery_score")
    big_rate, big = row(db, "VBIG", OCT, "on_time_rate", "delivery_score")
    peer = row(db, "VPEER", OCT, "delivery_score")[0]
    assert (small_rate, big_rate) == (1.0, 0.99)
    category = (1072, 1102, 1102, 1102)
    assert small == pytest.approx(delivery_score((2, 2, 2, 2), category), **APPROX)
    assert big == pytest.approx(delivery_score((990, 1000, 1000, 1000), category), **APPROX)
    assert peer == pytest.approx(delivery_score((80, 100, 100, 100), category), **APPROX)
    assert small == pytest.approx(97.72326244, abs=1e-6)
    assert big == pytest.approx(98.98285064, abs=1e-6)
    assert peer == pytest.approx(81.56981045, abs=1e-6)
    assert small < big  # the raw rate says the opposite
    assert row(db, "VSMALL", OCT, "peer_on_time_rate")[0] == pytest.approx(1072 / 1102, **APPROX)


def test_a_vendor_alone_in_its_category_is_shrunk_toward_the_portfolio(db):
    # VDEL is its category's only vendor: on time 2/7, in full 5/7, defect-free 6/7 (all delivered ones
    # have qty_rejected 0; D5 is not delivered). Unshrunk, blend = 3.7 / 7 = 0.5286 -> 5.714. Its
    # category prior is its own 7 deliveries pulled toward the portfolio (priors above):
    #   on time (2 + 9.655021834) / 17 = 0.6855895197 -> vendor (2 + 6.855895197) / 17 = 0.5209350116
    #   in full (5 + 9.960698690) / 17 = 0.8800410994 -> vendor (5 + 8.800410994) / 17 = 0.8117888820
    #   defect-free (6 + 9.969432314) / 17 = 0.9393783714 -> vendor (6 + 9.393783714) / 17 = 0.9055166891
    #   blend = 0.2604675058 + 0.2435366646 + 0.1811033378 = 0.6851075082 -> 37.022
    # (it was 5.714 when a vendor alone was shrunk toward itself: the prior did nothing for a small sample)
    got = row(db, "VDEL", OCT, "delivery_score")[0]
    assert got == pytest.approx(delivery_score((2, 5, 6, 7), (2, 5, 6, 7)), **APPROX)
    assert got == pytest.approx(37.02150164, abs=1e-6)


def test_four_of_four_on_time_alone_is_not_a_perfect_score(db):
    # VREC_QUIET: 4 of 4 on time, in full, defect-free, alone in its category: shrunk toward the
    #   portfolio, its delivery pillar is high but not 100 (docs: small samples say so).
    #   on time: prior (4 + 9.655021834) / 14 = 0.9753587024 -> (4 + 9.753587024) / 14 = 0.9823990732
    #   in full: (4 + 9.960698690) / 14 = 0.9971927636 -> (4 + 9.971927636) / 14 = 0.9979948311
    #   defect-free: (4 + 9.969432314) / 14 = 0.9978165939 -> 0.9984404242
    #   blend = 0.4911995366 + 0.2993984493 + 0.1996880848 = 0.9902860708 -> 98.057
    got = row(db, "VREC_QUIET", OCT, "delivery_score")[0]
    assert got == pytest.approx(delivery_score((4, 4, 4, 4), (4, 4, 4, 4)), **APPROX)
    assert got == pytest.approx(98.05721415, abs=1e-6)
    assert got < 100


def test_the_month_on_its_own_records_is_its_pillars_not_shrunk(db):
    # VDEL: on time 2/7, in full 5/7, defect-free 6/7: blend (0.5 * 2 + 0.3 * 5 + 0.2 * 6) / 7 = 3.7 / 7
    #   = 0.5285714286, stretched from the 0.5 floor: 100 * (0.5285714286 - 0.5) / 0.5 = 5.714285714
    #   (its shrunk delivery score is 37.022, above). VREC_QUIET: 4 of 4 in every part: 100 (shrunk 98.057).
    assert row(db, "VDEL", OCT, "promise_score", "recovery_score") == (None, None)
    assert row(db, "VDEL", OCT, "own_month_score")[0] == pytest.approx(5.714285714, abs=1e-6)
    assert row(db, "VREC_QUIET", OCT, "promise_score", "recovery_score") == (None, None)
    assert row(db, "VREC_QUIET", OCT, "own_month_score")[0] == pytest.approx(100.0, abs=1e-9)


def test_the_scorecard_moves_trust_the_way_each_months_own_records_point(db):
    # The stored trust is trust_path over the stored month scores, their own-records scores and the
    # complaint-only flags; and the fixture has months where the two scores point different ways
    # from the trust they meet (held), so the own scores are really read.
    model = load_model()
    rows = query(db, """SELECT vendor_id, month, month_score, own_month_score, trust_score,
                               delivery_score IS NULL AND promise_score IS NULL AND month_score IS NOT NULL
                        FROM scorecard ORDER BY vendor_id, month""")
    held = 0
    for vendor in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == vendor]
        path = trust_path([r[2] for r in mine], model.memory_down, model.memory_up, [r[5] for r in mine],
                          forget_after=model.window_months, own_scores=[r[3] for r in mine])
        assert path == [pytest.approx(r[4], abs=1e-9) if r[4] is not None else None for r in mine], vendor
        for before, now in zip(mine, mine[1:]):
            if before[4] is not None and now[2] is not None and (now[2] - before[4]) * (now[3] - before[4]) < 0:
                held += 1
                assert now[4] == pytest.approx(before[4]), (vendor, now[1])
    assert held > 0


# ------------------------------------------------------------------------------------------------
# Complaints
# ------------------------------------------------------------------------------------------------

def test_complaint_columns(db):
    opened, median_ack, resolved_rate = row(
        db, "VCMP", OCT, "complaints_opened", "median_hours_to_acknowledge", "resolved_on_time_rate")
    assert opened == 6  # C1 C2 C3 C4 C5 C8; C3 is Oct in UTC, C6 Nov in UTC, C7 Sep in UTC
    # acknowledged: C3 1 h, C1 2 h, C2 5.5 h, C5 24 h (C4, C8 never) -> even count: (2 + 5.5) / 2 = 3.75
    assert median_ack == pytest.approx(3.75, **APPROX)
    # on time: C1 (by promise), C3 (exactly at the high default 5 d), C5 (medium default 15 d), C8 (by promise,
    # though the critical default 2 d was missed); late: C2 (missed promise), C4 (1 s past low default 30 d)
    # -> 4 / 6
    assert resolved_rate == pytest.approx(4 / 6, **APPROX)


def test_hours_to_acknowledge_keeps_fractions_of_a_second(db):
    # acknowledged_at - opened_at: F1 1.250 - 0.750 = 0.5 s, F2 0.950 - 0.250 = 0.7 s;
    # median (0.5 + 0.7) / 2 = 0.6 s = 0.6 / 3600 h (counting whole-second boundaries would give 1 s and 0 s).
    hours = dict(query(db, "SELECT complaint_id, hours_to_acknowledge FROM complaint_recovery WHERE vendor_id = 'VMS'"))
    assert hours["F1"] == pytest.approx(0.5 / 3600, abs=1e-12)
    assert hours["F2"] == pytest.approx(0.7 / 3600, abs=1e-12)
    assert row(db, "VMS", OCT, "median_hours_to_acknowledge")[0] == pytest.approx(0.6 / 3600, abs=1e-12)


def test_complaint_month_is_taken_in_utc(db):
    # C7 opened 2026-10-01T00:30+02:00 = 2026-09-30T22:30Z: September's; never acknowledged nor resolved.
    assert row(db, "VCMP", SEP, "complaints_opened", "median_hours_to_acknowledge",
               "resolved_on_time_rate") == (1, None, 0.0)
    months = dict(query(db, "SELECT complaint_id, month FROM complaint_recovery WHERE vendor_id = 'VCMP'"))
    assert months == {"C1": OCT, "C2": OCT, "C3": OCT, "C4": OCT, "C5": OCT, "C8": OCT, "C7": SEP}
    # The stored instants are UTC: C3 was opened 2026-09-30T23:30-02:00.
    opened = query(db, "SELECT opened_at FROM complaints WHERE complaint_id = 'C3'")[0][0]
    assert opened.replace(tzinfo=None) == datetime(2026, 10, 1, 1, 30)


def test_resolution_targets(db):
    due = dict(query(db, "SELECT complaint_id, due_at FROM complaint_recovery WHERE vendor_id = 'VCMP'"))
    due = {k: v.replace(tzinfo=None) for k, v in due.items()}
    assert due["C1"] == datetime(2026, 10, 5, 8)        # promised
    assert due["C3"] == datetime(2026, 10, 6, 1, 30)    # 10-01T01:30Z + 5 days (high)
    assert due["C4"] == datetime(2026, 11, 9)           # 10-10T00:00Z + 30 days (low)
    assert due["C5"] == datetime(2026, 10, 27)          # 10-12T00:00Z + 15 days (blank = medium)
    assert due["C8"] == datetime(2026, 10, 20)          # promised, not 10-14 + 2 days (critical)
    assert due["C7"] == datetime(2026, 10, 15, 22, 30)  # 09-30T22:30Z + 15 days (blank = medium)
    on_time = dict(query(db, "SELECT complaint_id, resolved_on_time FROM complaint_recovery WHERE vendor_id = 'VCMP'"))
    assert on_time == {"C1": True, "C2": False, "C3": True, "C4": False, "C5": True, "C8": True, "C7": False}


def test_repeat_complaint(db):
    # Same vendor and category as a complaint opened in the 365 days before (contract: "a repeat is
    # the same vendor and category again"), resolved or not:
    #   R2 (late shipment, 10-20) after R1 (08-01) and R4 (08-03) -> repeat
    #   R4 (late shipment, 08-03) while R1 was still open -> repeat: the failure came back
    #   R5 (damaged goods, 09-30) 102 days after R0 (06-20) -> repeat
    #   R0, R1, R3 (billing): first of their category -> not a repeat
    repeats = dict(query(db, "SELECT complaint_id, is_repeat FROM complaint_recovery WHERE vendor_id = 'VREP'"))
    assert repeats == {"R0": False, "R1": False, "R4": True, "R5": True, "R2": True, "R3": False}
    assert row(db, "VREP", OCT, "complaints_opened", "repeat_complaints") == (2, 1)


def test_well_repaired_beats_badly_repaired_but_not_no_complaint(db):
    # Recovery points of one medium complaint (weight 1), score = 40 + 50 * points:
    #   G1: ack 1 h (<= 24 h) 0.25 + resolved by promise 0.30 + apologised 0.10 + explained 0.10
    #       + restitution 0.05 + self-disclosed 0.10 + not a repeat 0.10 = 1.00 -> 90
    #   B1: ack 100 h (> 72 h) 0 + resolved 10-25 after the medium default 10-20 0 + none of the steps 0
    #       + not a repeat 0.10 = 0.10 -> 45
    points = dict(query(db, "SELECT complaint_id, recovery_points::DOUBLE FROM complaint_recovery "
                            "WHERE vendor_id IN ('VREC_GOOD', 'VREC_BAD')"))
    assert points == {"G1": pytest.approx(1.0, **APPROX), "B1": pytest.approx(0.10, **APPROX)}
    assert dict(query(db, "SELECT vendor_id, recovery_score FROM complaint_metrics WHERE vendor_id IN ('VREC_GOOD', 'VREC_BAD')")) == {
        "VREC_GOOD": pytest.approx(90.0, **APPROX), "VREC_BAD": pytest.approx(45.0, **APPROX)}
    # The scorecard's recovery pillar: complaints are shrunk toward the category's complaint-weighted
    # handling score, itself shrunk toward the portfolio's (2 imaginary complaints each), itself
    # toward 65 (1 imaginary complaint); a vendor never complained about has no recovery data.
    #   portfolio: October's 12 complaints (VCMP 6, VREP 2, VMS 2, G1, B1) with their vendors' scores
    #              from complaint_metrics (G1's and B1's checked just above): (sum + 65) / 13
    #   category:  (90 * 1 + 45 * 1 + 2 * portfolio) / 4 (VREC_NONE has no complaint, so no weight)
    #   good: (1 * 90 + 2 * category) / 3;  bad: (1 * 45 + 2 * category) / 3
    handling, complaints = query(db, "SELECT sum(complaints_opened * recovery_score), sum(complaints_opened) "
                                     "FROM complaint_metrics WHERE month = ?", [OCT])[0]
    assert complaints == 6 + 2 + 2 + 1 + 1
    portfolio = (handling + 65) / (complaints + 1)
    category = (90 + 45 + 2 * portfolio) / 4
    expected_recovery = {"good": (90 + 2 * category) / 3, "bad": (45 + 2 * category) / 3}
    # With VCMP at 1220/19, VREP and VMS at 57.5: portfolio = (1220*6/19 + 115 + 135 + 115 + 65) / 13
    #   = 62.7125506, category = 65.1062753, good 73.4041835, bad 58.4041835
    assert expected_recovery["good"] == pytest.approx(73.4041835, abs=1e-7)
    assert expected_recovery["bad"] == pytest.approx(58.4041835, abs=1e-7)
    # Deliveries are identical (4/4 each; category 12/12, shrunk toward the portfolio) -> 98.764,
    # no announcements, so month_score = delivery - 0.25 / (0.5 + 0.25) * (100 - recovery): the
    # complaint's cost; without a complaint, the delivery score alone.
    delivery = delivery_score((4, 4, 4, 4), (12, 12, 12, 12))
    assert delivery == pytest.approx(98.7636817, abs=1e-7)
    none = row(db, "VREC_NONE", OCT, "delivery_score", "recovery_score", "month_score", "trust_score")
    good = row(db, "VREC_GOOD", OCT, "delivery_score", "recovery_score", "month_score", "trust_score")
    bad = row(db, "VREC_BAD", OCT, "delivery_score", "recovery_score", "month_score", "trust_score")
    assert none[0] == good[0] == bad[0] == pytest.approx(delivery, **APPROX)
    for got, name in ((good, "good"), (bad, "bad")):
        assert got[1] == pytest.approx(expected_recovery[name], **APPROX), name
        assert got[2] == pytest.approx(delivery - (100 - expected_recovery[name]) / 3, **APPROX), name
    assert none[1] is None
    assert none[2] == pytest.approx(delivery, **APPROX)
    # good: 98.7636817 - (100 - 73.4041835) / 3 = 89.8984096; bad: 98.7636817 - 41.5958165 / 3 = 84.8984096
    assert (good[2], bad[2]) == (pytest.approx(89.8984096, abs=1e-6), pytest.approx(84.8984096, abs=1e-6))
    assert bad[1] < good[1]
    assert bad[2] < good[2] < none[2]
    assert bad[3] < good[3] < none[3]  # first scored month: trust = month score


def test_a_quiet_month_after_a_complaint_has_no_recovery_score_and_costs_nothing(db):
    # VREC_QUIET had a complaint in September and none in October, with 4 of 4 on time in October:
    # recovery has no data in October (nothing to recover from: never shown as 100), and costs
    # nothing: the month is its delivery score, 98.057 (4 of 4, see
    # test_four_of_four_on_time_alone_is_not_a_perfect_score), as for a vendor never complained
    # about: a complaint in September neither lowers nor raises October's month score.
    delivery = delivery_score((4, 4, 4, 4), (4, 4, 4, 4))
    assert row(db, "VREC_QUIET", OCT, "complaints_opened", "recovery_score", "month_score") == (
        0, None, pytest.approx(delivery, **APPROX))
    # September: its only month with the complaint and no delivery due: recovery is the month score.
    sep = row(db, "VREC_QUIET", SEP, "complaints_opened", "delivery_score", "recovery_score", "month_score")
    assert sep[:2] == (1, None) and sep[2] == pytest.approx(sep[3], **APPROX)


# ------------------------------------------------------------------------------------------------
# Announcements
# ------------------------------------------------------------------------------------------------

def test_announcements_due_by_first_promise(db):
    # October: A1 (first promise 10-15, re-dated to 12-15) and A4 (10-31); not A3 (first promise 11-10,
    # pulled into October), not A5 (first promise 08-20, slipped into October).
    assert row(db, "VANN", OCT, "announcements_due")[0] == 2
    assert row(db, "VANN", SEP, "announcements_due")[0] == 1  # A2 (09-20)
    assert row(db, "VANN", AUG, "announcements_due")[0] == 1  # A5 (08-20)
    assert row(db, "VANN", JUL, "announcements_due")[0] == 0


# ------------------------------------------------------------------------------------------------
# Memory and grades
# ------------------------------------------------------------------------------------------------

def remembered_score(scores: list, down: float, up: float, only: list | None = None):
    """Trust after the last of `scores` (never forgetting)."""
    return trust_path(scores, down, up, only)[-1]


def test_remembered_score_falls_fast_and_rises_slowly():
    model = load_model()
    assert (model.memory_down, model.memory_up) == (0.5, 0.2)
    # 100 then 40: 100 + 0.5 * (40 - 100) = 70; 40 then 100: 40 + 0.2 * (100 - 40) = 52
    assert remembered_score([100, 40], model.memory_down, model.memory_up) == pytest.approx(70.0)
    assert remembered_score([40, 100], model.memory_down, model.memory_up) == pytest.approx(52.0)
    # 100, 0, 100, 100: 100 -> 50 (-50) -> 60 (+10) -> 68 (+8)
    assert trust_path([100, 0, 100, 100], 0.5, 0.2) == [pytest.approx(x) for x in (100, 50, 60, 68)]
    # No data leaves trust where it was; no data at all is no score.
    assert trust_path([None, 80, None], 0.5, 0.2) == [None, pytest.approx(80.0), pytest.approx(80.0)]
    assert trust_path([None, None], 0.5, 0.2) == [None, None]
    # A month of complaints alone lowers trust like any worse month and never raises it:
    # 60, then 90 (complaints only) stays 60, then 40 (complaints only) 60 - 0.5 * 20 = 50.
    assert trust_path([60, 90, 40], 0.5, 0.2, [False, True, True]) == [pytest.approx(x) for x in (60, 60, 50)]
    # Nor does it start trust when a full month follows: 90 (complaints only, shown 90), then 60 -> 60
    # (not 75, which would rank the complained-about vendor above one that never was).
    assert trust_path([90, 60], 0.5, 0.2, [True, False]) == [pytest.approx(90.0), pytest.approx(60.0)]
    # 40 (complaints only, shown 40), then 60: started at 60 lowered by the complaint, 60 + 0.5 * (40 - 60)
    # = 50, but trust shown at 40 rises slowly: 40 + 0.2 * (60 - 40) = 44.
    assert trust_path([40, 60], 0.5, 0.2, [True, False]) == [pytest.approx(40.0), pytest.approx(44.0)]
    # Complaints alone: the first starts trust (90), later ones only lower it (90, 95 -> 90; 90, 70 -> 80).
    assert remembered_score([90, 95], 0.5, 0.2, [True, True]) == pytest.approx(90.0)
    assert remembered_score([90, 70], 0.5, 0.2, [True, True]) == pytest.approx(80.0)



def test_a_months_own_records_decide_which_way_trust_moves():
    # Real data (SCMS, Trinity Biotech 2013-01): one delivery on time, pulled toward peers that were
    # late, scored 48.7 and took trust from 79.8 to 64.2: a promise kept lowered trust. The month's
    # own records (100) point up, its shrunk score down: trust holds at 79.8.
    assert trust_path([79.8, 48.7], 0.5, 0.2, own_scores=[79.8, 100.0]) == [pytest.approx(79.8), pytest.approx(79.8)]
    # And a late delivery pulled up toward good peers does not raise trust: 50, then 60 (own 0) -> 50.
    assert trust_path([50, 60], 0.5, 0.2, own_scores=[50, 0.0]) == [pytest.approx(50.0), pytest.approx(50.0)]
    # Own records that point the same way leave the move to the shrunk score: 80, then 60 (own 40)
    # -> 80 + 0.5 * (60 - 80) = 70; 60, then 70 (own 90) -> 60 + 0.2 * (70 - 60) = 62.
    assert trust_path([80, 60], 0.5, 0.2, own_scores=[80, 40.0]) == [pytest.approx(80.0), pytest.approx(70.0)]
    assert trust_path([60, 70], 0.5, 0.2, own_scores=[60, 90.0]) == [pytest.approx(60.0), pytest.approx(62.0)]
    # Own records equal to the trust they meet point nowhere: 70, then 60 (own 70) -> 70.
    assert trust_path([70, 60], 0.5, 0.2, own_scores=[70, 70.0]) == [pytest.approx(70.0), pytest.approx(70.0)]
    # Review: the first full month after complaint months alone replayed them without their own
    # records. 70 (complaints alone), 60 (complaints alone, own 80: held at 70), then 90 (own 90):
    # 90 -> 80 (the 70, own 70) -> 80 (the 60, own 80: held), then from 70 shown by 0.2 of 20: 74,
    # as when the 60 comes after trust started (70, 70, 74), not 70.
    assert trust_path([70, 60, 90], 0.5, 0.2, [True, True, False], own_scores=[70, 80, 90]) == \
        [pytest.approx(x) for x in (70, 70, 74)]
    # ...nor did it ask the full month's own records: 70 (complaints alone), then 90 whose own are 50 -> 70.
    assert trust_path([70, 90], 0.5, 0.2, [True, False], own_scores=[70, 50]) == [pytest.approx(70.0)] * 2
    # Review: nor below the trust shown: 65 (complaints alone), then one delivery on time pulled to
    # 40 (own 100) -> 65, not 40; with own records below it too (own 50), trust starts at 40.
    assert trust_path([65, 40], 0.5, 0.2, [True, False], own_scores=[70, 100]) == [pytest.approx(65.0)] * 2
    assert trust_path([65, 40], 0.5, 0.2, [True, False], own_scores=[70, 50]) == [pytest.approx(x) for x in (65, 40)]


def test_trust_never_jumps_when_an_old_month_leaves_the_window():
    # Each month's trust is last month's moved by this month: no window whose first month, when it
    # drops out, restarts trust elsewhere (review: quarterly data climbed 47.7 -> 97.8 in one month,
    # and 89, 0, then 97s fell 91.2 -> 88.7 after a good month).
    quarterly = [0, None, None, 97.8, None, None, 97.8, None, None, 97.8, None, None, 97.8]
    path = trust_path(quarterly, 0.5, 0.2, forget_after=12)
    # 0 -> 19.56 -> 35.208 -> 47.7264 -> 57.74112: a fifth of the gap a scored month, never a jump
    assert [path[k] for k in (0, 3, 6, 9, 12)] == [pytest.approx(x) for x in (0, 19.56, 35.208, 47.7264, 57.74112)]
    steady = trust_path([89, 0] + [97.0] * 20, 0.5, 0.2, forget_after=12)
    assert all(later >= earlier for earlier, later in zip(steady[1:], steady[2:]))
    # 12 silent months in a row forget: no trust, and the next score starts afresh.
    gap = trust_path([40] + [None] * 12 + [90], 0.5, 0.2, forget_after=12)
    assert gap[11] == pytest.approx(40.0) and gap[12] is None and gap[13] == pytest.approx(90.0)


def test_memory_through_the_pipeline(db):
    # VMEM alone in its category, never complained about (no recovery data), no announcements: the
    # month score is the delivery score. 10 deliveries a month, all three rates equal:
    #   Jun, Aug (VMEM is the portfolio): portfolio (10 + 0.5) / 11 = 21/22, category (10 + 210/22) / 20 =
    #     43/44, vendor (10 + 430/44) / 20 = 87/88 -> 100 * (87/88 - 0.5) / 0.5 = 100 * 43/44 = 97.727273
    #   Jul, 10 open: portfolio 0.5 / 11 = 1/22, category (10/22) / 20 = 1/44, vendor (10/44) / 20 -> 0
    #   Sep (VDEL's D8 too: 1 day late, in full): on time: portfolio (10 + 0.5) / 12 = 0.875,
    #     category (10 + 8.75) / 20 = 0.9375, vendor (10 + 9.375) / 20 = 0.96875;
    #     in full, defect-free: (11 + 0.5) / 12 = 0.9583333 -> 0.9791667 -> 0.9895833;
    #     blend 0.484375 + 0.296875 + 0.1979167 = 0.9791667 -> 95.833333
    #   Oct: vendor on time 0.9913755, in full 0.9990175, defect-free 0.9992358 (portfolio as counted
    #     above) -> blend 0.9952402 -> 99.048035
    # Trust (own records 100 in every month but July's 0, on the side the shrunk score is): Jun 97.727273;
    #   Jul 97.727273 + 0.5 (0 - 97.727273) = 48.863636 (-48.863636); Aug 48.863636 + 0.2 (97.727273 -
    #   48.863636) = 58.636364 (+9.772727); Sep 58.636364 + 0.2 (95.833333 - 58.636364) = 66.075758
    #   (+7.439394); Oct 66.075758 + 0.2 (99.048035 - 66.075758) = 72.670213 (+6.594455)
    sep = delivery_score((10, 10, 10, 10), (10, 10, 10, 10), portfolio=(10, 11, 11, 11))
    oct_ = delivery_score((10, 10, 10, 10), (10, 10, 10, 10))
    assert (sep, oct_) == (pytest.approx(95.833333, abs=1e-6), pytest.approx(99.048035, abs=1e-6))
    jun = 100 * 43 / 44
    jul = jun / 2
    aug = jul + 0.2 * (jun - jul)
    t_sep = aug + 0.2 * (sep - aug)
    t_oct = t_sep + 0.2 * (oct_ - t_sep)
    rows = query(db, """SELECT month, month_score, trust_score, trust_change, grade FROM scorecard
                        WHERE vendor_id = 'VMEM' ORDER BY month""")
    expected = [
        (MAY, None, None, None, None),
        (JUN, jun, jun, None, "A"),
        (JUL, 0.0, jul, -jul, "F"),
        (AUG, jun, aug, aug - jul, "F"),
        (SEP, sep, t_sep, t_sep - aug, "D"),
        (OCT, oct_, t_oct, t_oct - t_sep, "C"),
    ]
    assert (jul, aug, t_sep, t_oct) == (pytest.approx(48.863636, abs=1e-6), pytest.approx(58.636364, abs=1e-6),
                                        pytest.approx(66.075758, abs=1e-6), pytest.approx(72.670213, abs=1e-6))
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert got[0] == want[0] and got[4] == want[4], (got, want)
        for g, w in zip(got[1:4], want[1:4]):
            assert (g is None and w is None) or g == pytest.approx(w, abs=1e-9), (got, want)
    fall = rows[2][3]
    rises = [r[3] for r in rows[3:]]
    assert abs(fall) > max(rises) > 0  # one bad month moves trust more than any good month does


def test_grade_cutoffs():
    cutoffs = load_model().grades
    assert cutoffs == {"A": 90, "B": 80, "C": 70, "D": 60}
    # The score as printed, to one decimal: 59.99 prints 60.0 and is a D; 59.949 prints 59.9.
    cases = {100: "A", 90: "A", 89.95: "A", 89.94: "B", 80: "B", 79.99: "B", 79.9: "C", 70: "C",
             69.9: "D", 60: "D", 59.99: "D", 59.949: "F", 0: "F"}
    assert {s: grade(s, cutoffs) for s in cases} == cases
    assert grade(None, cutoffs) is None


def test_output_counts_are_64_bit_integers(db):
    # Review: sums of integer weights came out as DuckDB's 128-bit HUGEINT, which some BI tools
    # cannot read; counts are BIGINT, like every other count.
    wide = query(db, "SELECT table_name, column_name FROM duckdb_columns WHERE data_type IN ('HUGEINT', 'UHUGEINT') "
                     "AND NOT internal ORDER BY ALL")
    assert wide == []
    assert query(db, "SELECT data_type FROM duckdb_columns WHERE table_name = 'scorecard' "
                     "AND column_name = 'promise_weight_12m'") == [("BIGINT",)]
