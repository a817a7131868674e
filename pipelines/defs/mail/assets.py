"""report_mail: the month's PDFs to the people who read them, exactly once (docs/mail.md).

Runs after the PDFs are rendered, for the month they were rendered for (the last month of a
range). Who already got a report is read from mail_log; each message is logged as soon as the
server accepts it, so a rerun after a failure mails only those still waiting.
"""
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, Config, Failure, MaterializeResult, MetadataValue, asset

from ...lib.duckdb_resource import DuckDBResource
from ...lib.partitions import monthly_partitions, single_run
from ...lib.resources import TrustcardSettings
from ..reports.assets import month_dir, report_month
from .alerts import send_alert
from .compose import NO_VENDOR_RECIPIENT, MonthPlan, outgoing, plan_month
from .log import SentKey, ensure_mail_log, record_sent, sent_key, smtp_sent
from .outbox import Delivery, MailError, Outgoing, deliver, mode
from .settings import MailSettings

__all__ = ["MailConfig", "mail_assets", "report_mail", "send_alert"]


class MailConfig(Config):
    force: bool = False  # mail again recipients who already received this month's report


@dataclass
class Pending:
    messages: list[Outgoing] = field(default_factory=list)
    skipped: int = 0  # recipients who already received their report from the server
    changed: int = 0  # of those, how many received a PDF that has changed since


@asset(
    group_name="delivery",
    deps=[AssetKey("executive_report"), AssetKey("vendor_reports")],
    partitions_def=monthly_partitions,
    backfill_policy=single_run,
    pool="duckdb",
    kinds={"email"},
    description="Mails the month's executive PDF to the executives and each vendor's PDF to that vendor "
                "(plus the internal owners), once per recipient; see docs/mail.md.",
)
def report_mail(context: AssetExecutionContext, config: MailConfig, duckdb: DuckDBResource,
                settings: TrustcardSettings) -> MaterializeResult:
    month = report_month(context)
    mail = _mail_settings()
    outbox = month_dir(settings.reports, month) / "outbox"
    with duckdb.connect() as con:
        plan = plan_month(con, month, settings.reports, mail)
        ensure_mail_log(con)
        pending = _pending(plan, smtp_sent(con, month), config.force, month, mail)
        _warn(context, plan, pending)  # before sending: a failure below must not hide them
        delivery = _deliver(context, con, month, pending.messages, mail, outbox)
    for recipient, reply in delivery.refused:
        context.log.warning(f"the server refused {recipient}: {reply}")
    return MaterializeResult(metadata=_metadata(month, plan, pending, delivery))


def _mail_settings() -> MailSettings:
    try:
        return MailSettings.from_env()
    except ValueError as exc:
        # A bad setting stays bad on retry.
        raise Failure(description=str(exc), allow_retries=False) from exc


def _pending(plan: MonthPlan, sent: dict[SentKey, str], force: bool, month: date, mail: MailSettings) -> Pending:
    pending = Pending()
    for report in plan.reports:
        keys = {a: sent_key(report.kind, report.vendor_id, a) for a in (*report.to, *report.cc)}
        done = [] if force else [a for a, k in keys.items() if k in sent]
        pending.skipped += len(done)
        pending.changed += sum(1 for a in done if sent[keys[a]] != report.sha256)
        to = [a for a in report.to if a not in done]
        cc = [a for a in report.cc if a not in done]
        if to or cc:
            pending.messages.append(outgoing(report, to, cc, month, mail))
    return pending


def _deliver(context: AssetExecutionContext, con: duckdb.DuckDBPyConnection, month: date,
             messages: list[Outgoing], mail: MailSettings, outbox: Path) -> Delivery:
    how = mode(mail, outbox)
    sent: list[str] = []

    def on_sent(out: Outgoing, accepted: list[str]) -> None:
        record_sent(con, month, out, accepted, how, context.run.run_id)
        sent.append(out.name)
        context.log.info(f"{how}: {out.name} to {len(accepted)} recipient(s)")

    try:
        return deliver(messages, mail, outbox, on_sent)
    except MailError as exc:
        # Retries are welcome (a server down is usually back soon): the log keeps them from resending.
        raise Failure(description=str(exc), metadata={"mode": how, "messages_sent": len(sent),
                                                      "messages_unsent": len(messages) - len(sent)}) from exc


def _warn(context: AssetExecutionContext, plan: MonthPlan, pending: Pending) -> None:
    for r in plan.rejected:
        context.log.warning(f"vendor {r['vendor_id']!r}: recipient {r['entry']} rejected: {r['reason']}")
    if plan.unaddressed_executive:
        context.log.warning(f"not mailed, nobody to send it to: executive ({plan.unaddressed_executive})")
    if plan.unaddressed_vendors:
        context.log.warning(not_mailed_vendors(plan.unaddressed_vendors))
    if pending.changed:
        context.log.warning(f"{pending.changed} recipient(s) received an earlier version of their PDF; "
                            "materialize with config force=true to send the current one")


def not_mailed_vendors(vendors: list[str], named: int = 5) -> str:
    """One warning for every vendor PDF with nobody to send it to (review: a portfolio without
    recipients printed one line per vendor, 27 of them, in every run)."""
    more = f" and {len(vendors) - named} more (the step's not_mailed metadata names each)" if len(vendors) > named else ""
    return (f"not mailed, nobody to send it to: {len(vendors)} vendor PDF{'s' if len(vendors) != 1 else ''} "
            f"({NO_VENDOR_RECIPIENT}): {', '.join(vendors[:named])}{more}")


def _metadata(month: date, plan: MonthPlan, pending: Pending, delivery: Delivery) -> dict:
    meta = {
        "month": f"{month:%Y-%m}",
        "mode": delivery.mode,
        "messages_sent": delivery.messages,
        "recipients_sent": delivery.recipients,
        "skipped_already_sent": pending.skipped,
        "skipped_pdf_changed_since": pending.changed,
        "recipients_rejected": len(plan.rejected),
        "rejected": MetadataValue.json(plan.rejected),
        "refused_by_server": MetadataValue.json([{"recipient": r, "reply": why} for r, why in delivery.refused]),
        "not_mailed": MetadataValue.json(plan.unaddressed),
    }
    if delivery.folder is not None:
        meta["outbox"] = MetadataValue.path(str(delivery.folder))
    return meta


mail_assets = [report_mail]
