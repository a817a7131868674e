"""The landing contract as data: each feed's columns, their types and which are required.

This is the explicit schema every landing file is read against (docs/data-contract.md);
nothing is inferred from the files themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "date", "timestamp", "number", "bool", "enum"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values of an enum column


@dataclass(frozen=True)
class Feed:
    name: str
    path: str  # under the landing folder: a file (vendors.csv) or a folder of files
    key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def is_folder(self) -> bool:
        return not self.path.endswith(".csv")


VENDORS = Feed(
    name="vendors",
    path="vendors.csv",
    key="vendor_id",
    columns=(
        Column("vendor_id", "text", required=True),
        Column("vendor_name", "text", required=True),
        Column("category", "text"),
        Column("is_self", "bool"),
        Column("report_recipients", "text"),
    ),
)

DELIVERIES = Feed(
    name="deliveries",
    path="deliveries",
    key="delivery_id",
    columns=(
        Column("delivery_id", "text", required=True),
        Column("vendor_id", "text", required=True),
        Column("promised_date", "date", required=True),
        Column("delivered_date", "date"),
        Column("qty_ordered", "number", required=True),
        Column("qty_delivered", "number"),
        Column("qty_rejected", "number"),
        Column("order_value", "number"),
    ),
)

COMPLAINTS = Feed(
    name="complaints",
    path="complaints",
    key="complaint_id",
    columns=(
        Column("complaint_id", "text", required=True),
        Column("vendor_id", "text", required=True),
        Column("opened_at", "timestamp", required=True),
        Column("acknowledged_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("promised_resolution_at", "timestamp"),
        Column("severity", "enum", values=("low", "medium", "high", "critical")),
        Column("category", "text"),
        Column("disclosed_by", "enum", values=("vendor", "customer")),
        Column("apologized", "bool"),
        Column("explained", "bool"),
        Column("restitution", "bool"),
        Column("summary", "text"),
    ),
)

ANNOUNCEMENTS = Feed(
    name="announcements",
    path="announcements",
    key="announcement_id",
    columns=(
        Column("announcement_id", "text", required=True),
        Column("vendor_id", "text", required=True),
        Column("product", "text"),  # required on the first event: checked by the validation model
        Column("event", "enum", required=True, values=("announced", "revised", "shipped", "cancelled")),
        Column("event_date", "date", required=True),
        Column("promised_ship_date", "date"),  # required for announced/revised: checked by validation
        Column("presold", "bool"),
    ),
)

EVENT_FEEDS: tuple[Feed, ...] = (DELIVERIES, COMPLAINTS, ANNOUNCEMENTS)
ALL_FEEDS: tuple[Feed, ...] = (VENDORS, *EVENT_FEEDS)
FEEDS_BY_NAME = {f.name: f for f in ALL_FEEDS}
FEED_FOLDERS = {f.path for f in ALL_FEEDS if f.is_folder}  # the landing folder's subfolders that are read
