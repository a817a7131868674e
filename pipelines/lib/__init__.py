"""Shared helpers: settings, months, the DuckDB resource, SQL loading."""
