"""Run settings as a Dagster resource: where the landing folder and the reports are, and the as-of date."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from dagster import ConfigurableResource

from .settings import Settings


class TrustcardSettings(ConfigurableResource):
    landing_dir: str
    reports_dir: str
    as_of: str  # YYYY-MM-DD: facts dated after it are rejected

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def reports(self) -> Path:
        return Path(self.reports_dir)

    @property
    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of)

    @classmethod
    def from_settings(cls, s: Settings) -> "TrustcardSettings":
        return cls(landing_dir=str(s.landing_dir), reports_dir=str(s.reports_dir), as_of=s.as_of.isoformat())
