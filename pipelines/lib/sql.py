"""Load the transforms in sql/ (one model a file) and run them with parameters."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from .settings import REPO_ROOT

SQL_DIR = REPO_ROOT / "sql"


@cache
def load_sql(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def sql_files() -> list[Path]:
    return sorted(SQL_DIR.rglob("*.sql"))
