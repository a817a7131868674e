"""USAID/PEPFAR SCMS delivery history -> ``deliveries/scms.csv``.

One source row is one line item shipped to a country programme: a promised delivery.
Mapping choices and their reasons are in ``docs/real-data.md``.
"""

from __future__ import annotations

from pathlib import Path

from ._common import (
    ImportReport,
    SourceTable,
    Unmappable,
    VendorBook,
    locate,
    map_rows,
    merge_vendors,
    parse_date,
    parse_number,
    read_source,
    write_csv,
)

SOURCE = "scms"
FILE_NAME = "scms_delivery_history.csv"
OUTPUT = Path("deliveries") / "scms.csv"
COLUMNS = (
    "delivery_id",
    "vendor_id",
    "promised_date",
    "delivered_date",
    "qty_ordered",
    "qty_delivered",
    "qty_rejected",
    "order_value",
)
# `2-Jun-06` and `02-Jun-06` both parse with %d.
DATE_FORMATS = ("%d-%b-%y",)
PROMISED = "Scheduled Delivery Date"
DELIVERED = "Delivered to Client Date"
QUANTITY = "Line Item Quantity"
VALUE = "Line Item Value"
# Product Group (ARV, HRDT, ...) is what the vendor makes: the like-for-like peer group.
CATEGORY = "Product Group"
REQUIRED = ("ID", "Vendor", PROMISED, DELIVERED, QUANTITY, VALUE, CATEGORY)

NOTES = (
    "qty_delivered left empty: SCMS has no delivered-quantity field, and under the contract "
    "an empty qty_delivered with a delivered_date means delivered in full",
    "qty_rejected left empty (defaults to 0): SCMS has no inspection or defect field",
    "promised_date is the Scheduled Delivery Date as exported; SCMS keeps no history of "
    "re-scheduling, so an earlier original promise cannot be recovered",
    f"vendor category = the vendor's most frequent {CATEGORY}",
)


class _DeliveryMapper:
    """Maps one SCMS row; remembers ids already landed so a repeated ID is reported, not merged."""

    def __init__(self, vendors: VendorBook) -> None:
        self.vendors = vendors
        self.first_row_of: dict[str, int] = {}
        self.values_left_empty = 0

    def __call__(self, number: int, row: dict[str, str]) -> dict[str, str]:
        source_id = row["ID"].strip()
        if not source_id:
            raise Unmappable("ID is empty")
        if source_id in self.first_row_of:
            raise Unmappable(f"ID {source_id!r} repeats row {self.first_row_of[source_id]}")
        vendor = row["Vendor"].strip()
        if not vendor:
            raise Unmappable("Vendor is empty")
        promised = parse_date(row[PROMISED], DATE_FORMATS, PROMISED)
        delivered = parse_date(row[DELIVERED], DATE_FORMATS, DELIVERED) if row[DELIVERED].strip() else None
        if parse_number(row[QUANTITY], QUANTITY) <= 0:
            raise Unmappable(f"{QUANTITY} {row[QUANTITY]!r} is not > 0: not a valid order")
        vendor_id = self.vendors.add(vendor, row[CATEGORY].strip())
        self.first_row_of[source_id] = number
        return {
            "delivery_id": f"scms-{source_id}",
            "vendor_id": vendor_id,
            "promised_date": promised.isoformat(),
            "delivered_date": delivered.isoformat() if delivered else "",
            "qty_ordered": row[QUANTITY].strip(),
            "qty_delivered": "",
            "qty_rejected": "",
            "order_value": self._order_value(row[VALUE]),
        }

    def _order_value(self, text: str) -> str:
        """Optional in the contract: a non-number is left empty (and counted) rather than losing the row."""
        try:
            value = parse_number(text, VALUE)
        except Unmappable:
            value = None
        if value is None or value < 0:
            self.values_left_empty += 1
            return ""
        return text.strip()


def import_scms(source_path: Path, landing_dir: Path) -> list[ImportReport]:
    path = locate(source_path, FILE_NAME)
    table: SourceTable = read_source(path, REQUIRED)
    report = ImportReport(SOURCE, path)
    vendors = VendorBook(SOURCE)
    mapper = _DeliveryMapper(vendors)
    rows = map_rows(table, mapper, report)
    write_csv(landing_dir / OUTPUT, COLUMNS, rows)
    added = merge_vendors(landing_dir, vendors.rows())
    report.notes.extend(NOTES)
    if mapper.values_left_empty:
        empty = mapper.values_left_empty
        report.notes.append(f"order_value left empty where {VALUE} is not a number >= 0: {empty} rows")
    report.notes.append(f"{len(vendors.rows())} vendors ({added} new in vendors.csv) -> {OUTPUT}")
    return [report]
