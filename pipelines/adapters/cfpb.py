"""CFPB Consumer Complaint Database exports -> ``complaints/cfpb_<part>.csv``.

Handles both export schemas: the current one (ISO dates, ``Complaint ID``, narrative) and
the 2013–2017 one (``7/29/2013`` dates, no ``Complaint ID``, no narrative). The CFPB records
no acknowledgement or resolution time; what we derive instead, and why, is in
``docs/real-data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ._common import (
    TEXT_LIMIT,
    ImportReport,
    SourceTable,
    Unmappable,
    VendorBook,
    bool_text,
    clean_text,
    fit_text,
    map_rows,
    merge_vendors,
    parse_date,
    read_source,
    slug,
    utc_midnight,
    write_csv,
)

SOURCE = "cfpb"
FILE_NAMES = ("cfpb_complaints_sample.csv", "cfpb_complaints_2013_2017.csv")
COLUMNS = (
    "complaint_id",
    "vendor_id",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
    "promised_resolution_at",
    "severity",
    "category",
    "disclosed_by",
    "apologized",
    "explained",
    "restitution",
    "summary",
)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")  # current schema, 2013–2017 schema
# CFPB rule: the company must respond within 15 calendar days of receiving the complaint.
RESPONSE_WINDOW = timedelta(days=15)

# Logical field -> the column names it has had across export schemas (first found wins).
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("Complaint ID",),
    "received": ("Date received",),
    "sent": ("Date sent to company",),
    "company": ("Company",),
    "product": ("Product",),
    "sub_product": ("Sub-product",),
    "issue": ("Issue",),
    "response": ("Company response to consumer", "Company response"),
    "timely": ("Timely response?",),
    "narrative": ("Consumer complaint narrative",),
}
REQUIRED_FIELDS = ("received", "company", "issue")


@dataclass(frozen=True)
class Recovery:
    """What a "Company response to consumer" value says; None = the value does not tell."""

    explained: bool | None
    restitution: bool | None
    closed: bool


RESPONSES: dict[str, Recovery] = {
    # "response included an explanation and no relief" (CFPB definition)
    "Closed with explanation": Recovery(explained=True, restitution=False, closed=True),
    # relief put the consumer right; whether it was also explained is not recorded
    "Closed with monetary relief": Recovery(explained=None, restitution=True, closed=True),
    "Closed with non-monetary relief": Recovery(explained=None, restitution=True, closed=True),
    "Closed with relief": Recovery(explained=None, restitution=True, closed=True),
    "Closed without relief": Recovery(explained=None, restitution=False, closed=True),
    # closed with neither relief nor explanation
    "Closed": Recovery(explained=False, restitution=False, closed=True),
    # the company did not answer within the window
    "Untimely response": Recovery(explained=False, restitution=False, closed=False),
    "In progress": Recovery(explained=None, restitution=None, closed=False),
}
UNKNOWN_RESPONSE = Recovery(explained=None, restitution=None, closed=False)

# The CFPB re-keyed companies to legal-entity names in 2017; the old short names of the
# largest companies are mapped to the new ones so one company keeps one vendor_id.
# Only names whose counterpart appears verbatim in the newer export are listed.
COMPANY_ALIASES: dict[str, str] = {
    "amex": "AMERICAN EXPRESS COMPANY",
    "bank-of-america": "BANK OF AMERICA, NATIONAL ASSOCIATION",
    "barclays-plc": "BARCLAYS BANK DELAWARE",
    "bb-t-financial": "BB&T CORPORATION",
    "capital-one": "CAPITAL ONE FINANCIAL CORPORATION",
    "citibank": "CITIBANK, N.A.",
    "discover": "DISCOVER BANK",
    "encore-capital-group": "ENCORE CAPITAL GROUP INC.",
    "equifax": "EQUIFAX, INC.",
    "experian": "Experian Information Solutions Inc.",
    "navy-fcu": "NAVY FEDERAL CREDIT UNION",
    "ocwen": "Ocwen Financial Corporation",
    "the-western-union-company": "WESTERN UNION COMPANY, THE",
    "usaa-savings": "UNITED SERVICES AUTOMOBILE ASSOCIATION",
}

# Old (pre-April-2017) product names -> the current taxonomy, so peer groups match across
# schemas. "Consumer Loan" was split by sub-product; see _product().
PRODUCTS: dict[str, str] = {
    "Bank account or service": "Checking or savings account",
    "Credit card": "Credit card or prepaid card",
    "Prepaid card": "Credit card or prepaid card",
    "Credit reporting": "Credit reporting, credit repair services, or other personal consumer reports",
    "Money transfers": "Money transfer, virtual currency, or money service",
    "Virtual currency": "Money transfer, virtual currency, or money service",
    "Payday loan": "Payday loan, title loan, or personal loan",
}
VEHICLE_LOAN = "Vehicle loan or lease"
PERSONAL_LOAN = "Payday loan, title loan, or personal loan"

NOTES = (
    "acknowledged_at left empty: the CFPB records no first-answer time, and 'Timely response?' "
    "only bounds it by 15 days after 'Date sent to company'",
    "promised_resolution_at = 'Date sent to company' + 15 days (the CFPB response rule every company accepts)",
    "resolved_at = that same deadline when the response is a 'Closed…' one and 'Timely response?' is Yes "
    "(closed within the window, exact day unknown); empty otherwise",
    "severity left empty (contract default medium): nothing in the export grades severity",
    "category = Issue; disclosed_by = customer (consumers file with the CFPB); apologized never recorded: empty",
    "'Consumer disputed?' not used: retired in 2017 (N/A), it would make the two schemas incomparable",
    "vendor category = the company's most frequent Product, old product names mapped to the 2017 taxonomy",
)


class _Schema:
    """Resolves logical fields to this file's column names."""

    def __init__(self, header: list[str]) -> None:
        self.columns = {name: next((c for c in options if c in header), None) for name, options in FIELDS.items()}
        missing = [FIELDS[name][0] for name in REQUIRED_FIELDS if self.columns[name] is None]
        if missing:
            raise ValueError(f"not a CFPB complaints export: missing column(s) {', '.join(missing)}")

    def get(self, row: dict[str, str], name: str) -> str:
        column = self.columns[name]
        return row[column].strip() if column else ""


def _company_name(raw: str) -> str:
    name = raw.strip()
    return COMPANY_ALIASES.get(slug(name), name) if name else name


def _product(product: str, sub_product: str) -> str:
    if product == "Consumer Loan":
        return VEHICLE_LOAN if sub_product.startswith("Vehicle") else PERSONAL_LOAN
    return PRODUCTS.get(product, product)


def part_name(path: Path) -> str:
    """``cfpb_complaints_2013_2017.csv`` -> ``2013_2017``: names the landing file and synthetic ids."""
    stem = path.stem
    for prefix in ("cfpb_complaints_", "complaints_", "cfpb_"):
        if stem.startswith(prefix):
            return stem[len(prefix) :]
    return stem


class _ComplaintMapper:
    def __init__(self, schema: _Schema, part: str, vendors: VendorBook, seen_ids: dict[str, str]) -> None:
        self.schema = schema
        self.part = part
        self.vendors = vendors
        self.seen_ids = seen_ids  # complaint_id -> "file row N", shared across files: ids are global
        self.unknown_responses: dict[str, int] = {}
        self.no_sent_date = 0
        self.summaries_cut = 0

    def complaint_id(self, number: int, row: dict[str, str]) -> str:
        if self.schema.columns["id"] is None:
            # The 2013–2017 export has no Complaint ID: the file and row make a stable key.
            return f"cfpb-{self.part}-row{number}"
        source_id = self.schema.get(row, "id")
        if not source_id:
            raise Unmappable("Complaint ID is empty")
        return f"cfpb-{source_id}"

    def __call__(self, number: int, row: dict[str, str]) -> dict[str, str]:
        get = self.schema.get
        complaint_id = self.complaint_id(number, row)
        if complaint_id in self.seen_ids:
            raise Unmappable(f"complaint_id {complaint_id!r} repeats {self.seen_ids[complaint_id]}")
        company = _company_name(get(row, "company"))
        if not company:
            raise Unmappable("Company is empty")
        received = parse_date(get(row, "received"), DATE_FORMATS, "Date received")
        deadline = self._deadline(get(row, "sent"))
        recovery = self._recovery(get(row, "response"))
        resolved = deadline if (deadline and recovery.closed and get(row, "timely") == "Yes") else ""
        vendor_id = self.vendors.add(company, _product(get(row, "product"), get(row, "sub_product")))
        self.seen_ids[complaint_id] = f"{self.part} row {number}"
        return {
            "complaint_id": complaint_id,
            "vendor_id": vendor_id,
            "opened_at": utc_midnight(received),
            "acknowledged_at": "",
            "resolved_at": resolved,
            "promised_resolution_at": deadline,
            "severity": "",
            "category": get(row, "issue"),
            "disclosed_by": "customer",
            "apologized": "",
            "explained": bool_text(recovery.explained),
            "restitution": bool_text(recovery.restitution),
            "summary": self._summary(get(row, "narrative")),
        }

    def _summary(self, narrative: str) -> str:
        text, cut = fit_text(clean_text(narrative))
        self.summaries_cut += cut
        return text

    def _deadline(self, sent: str) -> str:
        """Sent + 15 days; a missing or bad sent date only loses the deadline, not the complaint."""
        try:
            return utc_midnight(parse_date(sent, DATE_FORMATS, "Date sent to company") + RESPONSE_WINDOW)
        except Unmappable:
            self.no_sent_date += 1
            return ""

    def _recovery(self, response: str) -> Recovery:
        if response in RESPONSES:
            return RESPONSES[response]
        self.unknown_responses[response] = self.unknown_responses.get(response, 0) + 1
        return UNKNOWN_RESPONSE


def _import_file(path: Path, landing_dir: Path, vendors: VendorBook, seen_ids: dict[str, str]) -> ImportReport:
    table: SourceTable = read_source(path)
    schema = _Schema(table.header)
    part = part_name(path)
    report = ImportReport(SOURCE, path)
    mapper = _ComplaintMapper(schema, part, vendors, seen_ids)
    rows = map_rows(table, mapper, report)
    output = Path("complaints") / f"cfpb_{part}.csv"
    write_csv(landing_dir / output, COLUMNS, rows)
    report.notes.extend(NOTES)
    if schema.columns["id"] is None:
        report.notes.append(f"no Complaint ID column: complaint_id = cfpb-{part}-row<N> (N = spreadsheet row)")
    if schema.columns["narrative"] is None:
        report.notes.append("no narrative column: summary left empty")
    for response, count in sorted(mapper.unknown_responses.items()):
        report.notes.append(f"{count} rows with unknown response {response!r}: recovery fields left empty")
    if mapper.summaries_cut:
        report.notes.append(f"{mapper.summaries_cut} narratives cut to trustcard's {TEXT_LIMIT:,}-character text limit")
    if mapper.no_sent_date:
        report.notes.append(f"{mapper.no_sent_date} rows without a usable 'Date sent to company': no deadline")
    report.notes.append(f"-> {output}")
    return report


def import_cfpb(source_path: Path, landing_dir: Path) -> list[ImportReport]:
    """Import one export file, or both standard files when given their folder.

    Files imported together share one vendor list, so a company spelled differently in
    the two schemas gets one vendor_id and its most frequent spelling as vendor_name.
    """
    paths = [source_path / name for name in FILE_NAMES] if source_path.is_dir() else [source_path]
    vendors = VendorBook(SOURCE)
    seen_ids: dict[str, str] = {}
    reports = [_import_file(path, landing_dir, vendors, seen_ids) for path in paths]
    added = merge_vendors(landing_dir, vendors.rows())
    reports[-1].notes.append(
        f"{len(vendors.rows())} companies over {len(paths)} file(s) ({added} new in vendors.csv; "
        f"{vendors.spelling_merges()} ids cover several spellings)"
    )
    return reports
