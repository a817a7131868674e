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
