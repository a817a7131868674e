"""The Great Expectations suites (expectations/<feed>.json) as plain SQL over the same staged rows.

The validated assets run each feed's suite with Great Expectations, as SQL in DuckDB over the staged
rows; this module turns the same JSON into one DuckDB query per feed that counts, per month, the
rows each expectation flags and the flagged rows that are not in quarantine (the asset check's
consistency test). It supports exactly the expectation types the suites use and refuses others,
so a new kind of expectation cannot be silently left out of the comparison.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path

import duckdb

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"
STAGED = {"vendors": "stg_vendors", "deliveries": "stg_deliveries", "complaints": "stg_complaints",
          "announcements": "stg_announcements"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(v, params: dict) -> str:
    if isinstance(v, dict) and "$PARAMETER" in v:
        v = params[v["$PARAMETER"]]
    if isinstance(v, datetime):
        return f"TIMESTAMP '{v.isoformat(sep=' ')}'"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return repr(v)


def _condition(kw: dict) -> str:
    cond = kw.get("row_condition")
    if not cond:
        return "true"
    if isinstance(cond, dict):  # GX's structured condition, the form that runs on SQL
        if cond.get("type") != "comparison" or cond.get("operator") != "IN":
            raise ValueError(f"row_condition not supported by the SQL translation: {cond!r}")
        return f"{_q(cond['column']['name'])} IN ({', '.join(_value(v, {}) for v in cond['parameter'])})"
    m = re.fullmatch(r'\s*(\w+)\s+in\s+\[(.*)\]\s*', cond)
    if kw.get("condition_parser") != "pandas" or not m:
        raise ValueError(f"row_condition not supported by the SQL translation: {cond!r}")
    values = [json.loads(x) for x in re.findall(r'"[^"]*"', m.group(2))]
    return f"{_q(m.group(1))} IN ({', '.join(_value(v, {}) for v in values)})"


def flags(expectation: dict, params: dict) -> tuple[str, str | None]:
    """(SQL predicate true for a row the expectation flags, the window column it needs)."""
    t, kw = expectation["type"], expectation["kwargs"]
    col = _q(kw["column"]) if "column" in kw else None
    if t == "expect_column_values_to_not_be_null":
        return f"({_condition(kw)} AND {col} IS NULL)", None
    if t == "expect_column_values_to_be_unique":
        window = f"_n_{kw['column']}"
        return f"({col} IS NOT NULL AND {_q(window)} > 1)", f"count(*) OVER (PARTITION BY {col}) AS {_q(window)}"
    if t == "expect_column_values_to_be_in_set":
        values = kw["value_set"]
        if isinstance(values, dict) and values.get("$PARAMETER") == "known_vendor_ids":
            return f"({col} IS NOT NULL AND {col} NOT IN (SELECT vendor_id FROM vendors))", None
        return f"({col} IS NOT NULL AND {col} NOT IN ({', '.join(_value(v, params) for v in values)}))", None
    if t == "expect_column_values_to_be_between":
        parts = []
        if kw.get("min_value") is not None:
            parts.append(f"{col} {'<=' if kw.get('strict_min') else '<'} {_value(kw['min_value'], params)}")
        if kw.get("max_value") is not None:
            parts.append(f"{col} {'>=' if kw.get('strict_max') else '>'} {_value(kw['max_value'], params)}")
        return f"coalesce({' OR '.join(parts)}, false)", None
    if t == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = _q(kw["column_A"]), _q(kw["column_B"])
        if kw.get("ignore_row_if") != "either_value_is_missing":
            raise ValueError(f"ignore_row_if={kw.get('ignore_row_if')!r} not supported by the SQL translation")
        return f"coalesce({a} {'<' if kw.get('or_equal') else '<='} {b}, false)", None
    raise ValueError(f"{t} is not supported by the SQL translation of the suites")


def suite_query(feed: str, where: str, as_of: date) -> tuple[str, list[str]]:
    """The per-month query of a feed's suite: month, rows checked, rows flagged per expectation,
    flagged rows not quarantined. Returns (sql, the expectations' rules in column order)."""
    suite = json.loads((EXPECTATIONS_DIR / f"{feed}.json").read_text(encoding="utf-8"))
    params = {"as_of_end": datetime.combine(as_of, time.max)}
    preds, windows, rules = [], [], []
    for e in suite["expectations"]:
        pred, window = flags(e, params)
        preds.append(pred)
        rules.append((e.get("meta") or {}).get("rule", e["type"]))
        if window and window not in windows:
            windows.append(window)
    extra = "".join(", " + w for w in windows) + (", NULL::DATE AS month" if feed == "vendors" else "")
    checked = f"SELECT *{extra} FROM {STAGED[feed]} WHERE {where} AND _dup_status <> 'duplicate'"
    flagged = ", ".join(f"{p} AS f{i}" for i, p in enumerate(preds))
    counts = ", ".join(f"count(*) FILTER (WHERE f{i})" for i in range(len(preds)))
    sql = f"""WITH checked AS ({checked}),
              flagged AS (SELECT month, _source_file, _row_number, {flagged} FROM checked)
              SELECT f.month, count(*) AS rows_checked, {counts},
                     count(*) FILTER (WHERE ({' OR '.join(f'f{i}' for i in range(len(preds)))}) AND q.row_number IS NULL)
                       AS not_quarantined
              FROM flagged f
              LEFT JOIN (SELECT source_file, row_number FROM quarantine WHERE feed = '{feed}') q
                ON q.source_file = f._source_file AND q.row_number = f._row_number
              GROUP BY f.month ORDER BY f.month"""
    return sql, rules


def run_suite_sql(con: duckdb.DuckDBPyConnection, feed: str, where: str, args: list, as_of: date) -> dict:
    """Run a feed's suite as SQL: per-month flagged counts, totals, and rows flagged but not quarantined."""
    sql, rules = suite_query(feed, where, as_of)
    rows = con.execute(sql, args).fetchall()
    flagged = {rule: sum(r[2 + i] for r in rows) for i, rule in enumerate(rules)}
    return {"feed": feed, "months": len(rows), "rows_checked": sum(r[1] for r in rows), "flagged": flagged,
            "not_quarantined": sum(r[-1] for r in rows)}
