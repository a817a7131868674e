"""One tiny month through the real Dagster job: every contract column lands in `scorecard`."""
from __future__ import annotations

from datetime import date

from conftest import query, run_months

CONTRACT_COLUMNS = ["vendor_id", "month", "deliveries_due", "on_time_rate", "in_full_rate", "open_past_due",
                    "median_days_late", "complaints_opened", "median_hours_to_acknowledge",
                    "resolved_on_time_rate", "announcements_due", "trust_score"]


def test_one_month_produces_contract_columns(landing, dagster_home, db_path):
    landing.vendors([["V1", "Acme", "packaging", "false", ""], ["V2", "Idle Co", "packaging", "", ""]])
    landing.deliveries([["D1", "V1", "2026-09-10", "2026-09-09", "10", "", "", ""]])
    result = run_months(landing.root, db_path, date(2026, 9, 1))
    assert result.success
    columns = [r[0] for r in query(db_path, "DESCRIBE scorecard")]
    assert set(CONTRACT_COLUMNS) <= set(columns)
    rows = query(db_path, "SELECT vendor_id, deliveries_due, on_time_rate FROM scorecard ORDER BY vendor_id")
    assert rows == [("V1", 1, 1.0), ("V2", 0, None)]


def test_the_runs_summary_counts_the_vendors_as_the_executive_pdf_does(landing, dagster_home, db_path):
    # Review: the run said latest_month_mean_trust=37.9 (our company among the vendors), the
    # executive PDF "38.1, mean of 28 vendors" (our company apart, on its own line).
    landing.vendors([["V1", "Acme", "packaging", "false", ""], ["V2", "Late Co", "packaging", "", ""],
                     ["US", "Our Company", "packaging", "true", ""]])
    landing.deliveries([["D1", "V1", "2026-09-10", "2026-09-09", "10", "", "", ""],
                        ["D2", "V2", "2026-09-10", "2026-09-30", "10", "", "", ""],
                        ["D3", "US", "2026-09-10", "", "10", "", "", ""]])
    result = run_months(landing.root, db_path, date(2026, 9, 1))
    (mat,) = result.asset_materializations_for_node("scorecard")
    meta = {k: v.value for k, v in mat.metadata.items()}
    trust = dict(query(db_path, "SELECT vendor_id, trust_score FROM scorecard"))
    assert (meta["latest_month_vendors"], meta["latest_month_scored"]) == (2, 2)
    assert meta["latest_month_mean_trust"] == round((trust["V1"] + trust["V2"]) / 2, 1) != \
        round((trust["V1"] + trust["V2"] + trust["US"]) / 3, 1)
    assert meta["latest_month_own_company_trust"] == round(trust["US"], 1)
    assert meta["latest_month_grade_d_or_f"] == sum(1 for v in ("V1", "V2") if trust[v] < 69.95)
