"""Adapters from real public data sets to the landing contract (``docs/data-contract.md``).

Each importer takes ``(source_path, landing_dir)``: ``source_path`` is the source file or the
folder holding it under its standard name. It writes its own feed file(s) into the landing
folder, merges its vendors into ``vendors.csv`` and returns one ``ImportReport`` per source
file, whose counts reconcile: ``rows_in == rows_landed + len(unmappable)``.

The mapping decisions and their reasons are documented in ``docs/real-data.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ._common import ImportReport
from .cfpb import import_cfpb
from .k8s_keps import import_k8s_keps
from .scms import import_scms

__all__ = ["IMPORTERS", "ImportReport", "import_all"]

Importer = Callable[[Path, Path], list[ImportReport]]

IMPORTERS: dict[str, Importer] = {
    "scms": import_scms,
    "cfpb": import_cfpb,
    "k8s-keps": import_k8s_keps,
}


def import_all(real_dir: Path, landing_dir: Path) -> list[ImportReport]:
    """Run every importer on the standard file names in ``real_dir`` (a missing file is an error)."""
    real_dir, landing_dir = Path(real_dir), Path(landing_dir)
    if not real_dir.is_dir():
        raise FileNotFoundError(f"real data folder not found: {real_dir}")
    return [report for importer in IMPORTERS.values() for report in importer(real_dir, landing_dir)]
