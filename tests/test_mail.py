"""Mail: real PDFs from a real run, sent through report_mail to a real SMTP server on loopback.

The PDFs are rendered once for the module; each test works on its own copy of the database
and reports, with its own aiosmtpd server that records every envelope it accepts.
"""
from __future__ import annotations

import datetime as dt
import email
import hashlib
import ipaddress
import re
import shutil
import socket
import ssl
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from dagster import materialize

from conftest import Landing, query, run_months
from pipelines.defs.mail.addresses import merge, parse_recipients
from pipelines.defs.mail.assets import report_mail, send_alert
from pipelines.defs.mail.outbox import MailError, Outgoing, deliver
from pipelines.defs.mail.settings import MailSettings
from pipelines.defs.reports.assets import safe_file_stem
from pipelines.lib.duckdb_resource import DuckDBResource, open_database
from pipelines.lib.resources import TrustcardSettings

MONTH = date(2026, 9, 1)
PARTITION = "2026-09-01"
EXECUTIVES = ["ceo@trustcard.example", "cfo@trustcard.example"]
OWNER = "owner@trustcard.example"
ENGINEERS = ["oncall@trustcard.example"]
HOSTILE_NAME = "Hostile\r\nBcc: evil@x.com <b>Co</b>"
HOSTILE_RECIPIENTS = ["a@b.com\r\nBcc: evil@x.com", "Evil <e@x.com>", "x@y.com,z@w.com"]
# Who must get which PDF: the vendor's own valid recipients, then the owner (once).
EXPECTED = {
    "executive": EXECUTIVES,
    "V1": ["ops@acme.example", "Quality@Acme.example", OWNER.upper()],  # the owner, listed by the vendor: once
    "V2": ["legit@hostile.example", OWNER],  # its hostile entries rejected
    "US": [OWNER],  # no recipients of its own
}
MAIL_ENV = ["TRUSTCARD_SMTP_HOST", "TRUSTCARD_SMTP_PORT", "TRUSTCARD_SMTP_SECURITY", "TRUSTCARD_SMTP_USER",
            "TRUSTCARD_SMTP_PASSWORD", "TRUSTCARD_MAIL_FROM", "TRUSTCARD_MAIL_EXECUTIVES", "TRUSTCARD_MAIL_OWNER",
            "TRUSTCARD_MAIL_ENGINEERS", "TRUSTCARD_MAIL_DRY_RUN"]
NEVER = ["evil@x.com", "e@x.com", "x@y.com", "z@w.com", "a@b.com", "quiet@widgets.example"]


def _landing(landing: Landing) -> None:
    landing.vendors([
        ["V1", "Acme Packaging", "packaging", "false",
         f" ops@acme.example; Quality@Acme.example ;quality@ACME.example;;{OWNER.upper()}"],
        ["V2", HOSTILE_NAME, "packaging", "false", ";".join([*HOSTILE_RECIPIENTS, "legit@hostile.example"])],
        ["V3", "Quiet Widgets", "packaging", "", "quiet@widgets.example"],  # no data: no PDF, no mail
        ["US", "Our Company", "packaging", "true", ""],
    ])
    rows = []
    for i in range(12):
        rows.append([f"A{i}", "V1", "2026-09-10", "2026-09-10" if i < 10 else "2026-09-14", "10", "", "", "100"])
        rows.append([f"H{i}", "V2", "2026-09-12", "2026-09-20" if i < 6 else "", "5", "", "", "50"])
    rows.append(["U1", "US", "2026-09-05", "2026-09-05", "1", "", "", ""])
    landing.deliveries(rows)


def query_rw(db: Path, sql: str) -> None:
    con = open_database(db)
    try:
        con.execute(sql)
    finally:
        con.close()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mail")
    landing = Landing(root / "landing")
    _landing(landing)
    with pytest.MonkeyPatch.context() as mp:
        # The monthly job mails too: never to a server from the developer's shell, and not into out/.
        for name in MAIL_ENV:
            mp.delenv(name, raising=False)
        mp.setenv("TRUSTCARD_MAIL_DRY_RUN", str(root / "render-outbox"))
        result = run_months(landing.root, root / "db.duckdb", date(2026, 7, 1), MONTH, reports_dir=root / "out",
                            reports=True, dagster_home=root / "dagster_home")
    assert result.success
    query_rw(root / "db.duckdb", "DROP TABLE IF EXISTS mail_log")  # each test starts with nobody mailed
    return root


@dataclass
class Site:
    db: Path
    reports: Path

    def pdf(self, report: str) -> Path:
        month = self.reports / f"{MONTH:%Y-%m}"
        return month / "executive.pdf" if report == "executive" else month / "vendors" / f"{safe_file_stem(report)}.pdf"

    def log(self) -> list[tuple]:
        return query(self.db, "SELECT report, coalesce(vendor_id, 'executive'), recipient, mode, pdf_sha256 "
                              "FROM mail_log ORDER BY ALL")


@pytest.fixture
def site(rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    shutil.copy(rendered / "db.duckdb", tmp_path / "db.duckdb")
    shutil.copytree(rendered / "out", tmp_path / "out")
    for name in MAIL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUSTCARD_MAIL_FROM", "trustcard@trustcard.example")
    monkeypatch.setenv("TRUSTCARD_MAIL_EXECUTIVES", ";".join(EXECUTIVES))
    monkeypatch.setenv("TRUSTCARD_MAIL_OWNER", OWNER)
    monkeypatch.setenv("TRUSTCARD_MAIL_ENGINEERS", ";".join(ENGINEERS))
    return Site(tmp_path / "db.duckdb", tmp_path / "out")


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Recorder:
    """An aiosmtpd handler keeping what it accepted; it can fail after `fail_after` messages:
    with a reply (`failure`, e.g. 451) at DATA, or by dropping the connection ('drop')."""
    received: list[Received] = field(default_factory=list)
    fail_after: int | None = None
    failure: str = "451 4.3.0 Try again later"
    refuse: set[str] = field(default_factory=set)

    def failing(self) -> bool:
        return self.fail_after is not None and len(self.received) >= self.fail_after

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.failure == "drop" and self.failing():
            server.transport.close()  # the server "dies": no reply at all
            return "421 4.3.2 Shutting down"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.failing():
            return self.failure
        raw = envelope.original_content
        parsed = email.message_from_bytes(raw, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), parsed, raw))
        return "250 OK"

    def by_report(self) -> dict[str, list[Received]]:
        out: dict[str, list[Received]] = {}
        for r in self.received:
            out.setdefault(_report_of(r.message), []).append(r)
        return out


def _report_of(msg: EmailMessage) -> str:
    (name,) = [a.get_filename() for a in msg.iter_attachments()]
    match = re.fullmatch(r"trustcard-2026-09-(executive|vendor-(.+))\.pdf", name)
    assert match, name
    return match.group(2) or "executive"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    """A plain SMTP server on loopback, configured as trustcard's server (security none)."""
    servers = []

    def start(recorder: Recorder | None = None, **kwargs) -> Recorder:
        recorder = recorder or Recorder()
        port = free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        servers.append(controller)
        monkeypatch.setenv("TRUSTCARD_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("TRUSTCARD_SMTP_PORT", str(port))
        monkeypatch.setenv("TRUSTCARD_SMTP_SECURITY", "none")
        return recorder

    yield start
    for controller in servers:
        controller.stop()


def run_mail(site: Site, force: bool = False):
    resources = {"duckdb": DuckDBResource(database=str(site.db)),
                 "settings": TrustcardSettings(landing_dir=str(site.db.parent), reports_dir=str(site.reports),
                                               as_of="2026-11-26")}
    return materialize([report_mail], resources=resources, partition_key=PARTITION, raise_on_error=False,
                       run_config={"ops": {"report_mail": {"config": {"force": force}}}})


def metadata(result) -> dict:
    (mat,) = result.asset_materializations_for_node("report_mail")
    return {k: v.value for k, v in mat.metadata.items()}


def failure(result) -> str:
    assert not result.success
    data = result.failure_data_for_node("report_mail")
    return data.user_failure_data.description if data.user_failure_data else data.error.message


# --- parsing and settings -----------------------------------------------------------------------


def test_recipients_keep_plain_addresses_only_and_say_why():
    kept, rejected = parse_recipients(" a@x.example ; A@X.example;\n b@y.example\n;;" + ";".join(
        [*HOSTILE_RECIPIENTS, "no-at.example", "two@@x.example", "u@-bad-.example", "q\"@x.example",
         "t\u00e9@x.example", "l" * 65 + "@x.example", "u@" + "d" * 250 + ".example", "tab\tx@y.example"]))
    assert kept == ["a@x.example", "b@y.example"]
    reasons = [r.reason for r in rejected]
    assert reasons[:3] == ["contains a line break", "contains whitespace (display names are not accepted)",
                           "contains a comma (separate addresses with ';')"]
    assert len(rejected) == 11 and all(r.reason for r in rejected)
    assert rejected[0].shown == repr("a@b.com\r\nBcc: evil@x.com")  # escaped: safe to log
    assert merge(["a@x.example"], ["A@x.EXAMPLE", "c@z.example"]) == ["a@x.example", "c@z.example"]


def test_settings_from_env_defaults_and_errors_name_the_variable(tmp_path: Path):
    s = MailSettings.from_env({})
    assert (s.host, s.port, s.security, s.sender, s.executives) == ("", 587, "starttls", "trustcard@localhost", ())
    assert s.outbox(tmp_path) == tmp_path  # no host: dry run in the default folder
    s = MailSettings.from_env({"TRUSTCARD_SMTP_HOST": "mail.example", "TRUSTCARD_SMTP_PORT": "465",
                               "TRUSTCARD_SMTP_SECURITY": "SSL", "TRUSTCARD_SMTP_USER": "u",
                               "TRUSTCARD_SMTP_PASSWORD": "p", "TRUSTCARD_MAIL_OWNER": "o@x.example; O@x.example"})
    assert (s.port, s.security, s.owners, s.outbox(tmp_path)) == (465, "ssl", ("o@x.example",), None)
    assert MailSettings.from_env({"TRUSTCARD_SMTP_HOST": "h", "TRUSTCARD_MAIL_DRY_RUN": str(tmp_path / "d")}
                                 ).outbox(tmp_path) == tmp_path / "d"
    for env, name in [({"TRUSTCARD_SMTP_PORT": "smtp"}, "TRUSTCARD_SMTP_PORT"),
                      ({"TRUSTCARD_SMTP_PORT": "70000"}, "TRUSTCARD_SMTP_PORT"),
                      ({"TRUSTCARD_SMTP_SECURITY": "tls"}, "TRUSTCARD_SMTP_SECURITY"),
                      ({"TRUSTCARD_SMTP_HOST": "smtp://x"}, "TRUSTCARD_SMTP_HOST"),
                      ({"TRUSTCARD_SMTP_PASSWORD": "p"}, "TRUSTCARD_SMTP_USER"),
                      ({"TRUSTCARD_MAIL_FROM": "Trustcard <t@x.example>"}, "TRUSTCARD_MAIL_FROM"),
                      ({"TRUSTCARD_MAIL_EXECUTIVES": "a@x.example;b@x.example\nBcc: c@x.example"},
                       "TRUSTCARD_MAIL_EXECUTIVES"),
                      ({"TRUSTCARD_MAIL_OWNER": "o@x.example,p@x.example"}, "TRUSTCARD_MAIL_OWNER"),
                      ({"TRUSTCARD_MAIL_ENGINEERS": "e"}, "TRUSTCARD_MAIL_ENGINEERS")]:
        with pytest.raises(ValueError, match=name):
            MailSettings.from_env(env)
    assert "secret" not in repr(MailSettings(host="h", user="u", password="secret"))


# --- who gets what ------------------------------------------------------------------------------


def test_each_pdf_goes_to_its_own_readers_only(site: Site, smtp):
    server = smtp()
    result = run_mail(site)
    assert result.success
    got = server.by_report()
    assert sorted(got) == sorted(EXPECTED)  # V3 has no PDF: nothing
    for report, recipients in EXPECTED.items():
        (received,) = got[report]  # one message per report
        assert received.rcpt_tos == recipients
        (attachment,) = received.message.iter_attachments()
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content() == site.pdf(report).read_bytes()
    # Nobody outside a vendor's own list (and the owner) ever sees its PDF.
    seen_by: dict[str, set[str]] = {}
    for rep, msgs in got.items():
        for r in (r for m in msgs for r in m.rcpt_tos):
            seen_by.setdefault(r.lower(), set()).add(rep)
    assert seen_by["ops@acme.example"] == {"V1"} and seen_by["legit@hostile.example"] == {"V2"}
    assert seen_by[OWNER] == {"V1", "V2", "US"} and seen_by["ceo@trustcard.example"] == {"executive"}
    # Executives: the executive PDF only; vendors' messages copy the owner in Cc.
    exec_msg = got["executive"][0].message
    assert exec_msg["Subject"] == "Vendor trust, September 2026: executive summary" and exec_msg["Cc"] is None
    v2 = got["V2"][0].message
    assert (v2["To"], v2["Cc"]) == ("legit@hostile.example", OWNER)
    assert got["US"][0].message["To"] == OWNER and got["US"][0].message["Cc"] is None
    assert got["V1"][0].message["Subject"] == "Trust scorecard, September 2026: Acme Packaging"

    meta = metadata(result)
    assert (meta["mode"], meta["messages_sent"], meta["recipients_sent"]) == ("smtp", 4, 8)
    assert meta["recipients_rejected"] == 3
    assert [(r["vendor_id"], r["reason"]) for r in meta["rejected"]] == [
        ("V2", "contains a line break"), ("V2", "contains whitespace (display names are not accepted)"),
        ("V2", "contains a comma (separate addresses with ';')")]
    assert Counter(row[1] for row in site.log()) == {"executive": 2, "V1": 3, "V2": 2, "US": 1}
    assert {row[3] for row in site.log()} == {"smtp"}
    assert {row[4] for row in site.log() if row[1] == "V1"} == {hashlib.sha256(site.pdf("V1").read_bytes()).hexdigest()}


def test_hostile_recipients_and_names_never_reach_the_server(site: Site, smtp):
    server = smtp()
    assert run_mail(site).success
    everyone = {r for m in server.received for r in m.rcpt_tos}
    assert not everyone & set(NEVER)
    for m in server.received:
        assert not re.search(rb"^(bcc|cc|to):.*(evil|x\.com|w\.com)", m.raw, re.M | re.I), m.raw[:400]
        assert m.message["Bcc"] is None
        assert all("\n" not in str(v) and "\r" not in str(v) for v in m.message.values())
    subject = server.by_report()["V2"][0].message["Subject"]
    assert subject == "Trust scorecard, September 2026: Hostile Bcc: evil@x.com <b>Co</b>"  # one line of text


# --- exactly once --------------------------------------------------------------------------------


def test_a_second_run_sends_nothing_and_force_resends(site: Site, smtp):
    server = smtp()
    assert run_mail(site).success and len(server.received) == 4
    again = run_mail(site)
    assert again.success and len(server.received) == 4
    meta = metadata(again)
    assert (meta["messages_sent"], meta["skipped_already_sent"], meta["skipped_pdf_changed_since"]) == (0, 8, 0)
    # A recipient added later gets the report; those who had it do not get it again.
    query_rw(site.db, "UPDATE vendors SET report_recipients = 'new@our.example' WHERE vendor_id = 'US'")
    with site.pdf("V1").open("ab") as f:
        f.write(b"\n%re-rendered\n")
    later = run_mail(site)
    assert [m.rcpt_tos for m in server.received[4:]] == [["new@our.example"]]
    assert metadata(later)["skipped_pdf_changed_since"] == 3  # V1's readers have an older PDF
    forced = run_mail(site, force=True)
    assert forced.success and metadata(forced)["messages_sent"] == 4 and len(server.received) == 9
    assert Counter(r for m in server.received for r in m.rcpt_tos)["ops@acme.example"] == 2
    assert len(site.log()) == 8 + 1 + 9


def test_dry_run_writes_eml_files_sends_nothing_and_suppresses_nothing(site: Site, smtp, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    server = smtp()
    monkeypatch.setenv("TRUSTCARD_MAIL_DRY_RUN", str(tmp_path / "preview"))
    result = run_mail(site)
    assert result.success and server.received == []
    files = sorted(p.name for p in (tmp_path / "preview").iterdir())
    assert files == ["2026-09-executive.eml", "2026-09-vendor-US.eml", "2026-09-vendor-V1.eml",
                     "2026-09-vendor-V2.eml"]
    msg = email.message_from_bytes((tmp_path / "preview" / "2026-09-vendor-V1.eml").read_bytes(), policy=policy.default)
    assert msg["To"] == ", ".join(EXPECTED["V1"])
    assert next(msg.iter_attachments()).get_content() == site.pdf("V1").read_bytes()
    assert (metadata(result)["mode"], metadata(result)["messages_sent"]) == ("dry-run", 4)
    assert {row[3] for row in site.log()} == {"dry-run"}
    monkeypatch.delenv("TRUSTCARD_MAIL_DRY_RUN")
    assert run_mail(site).success and len(server.received) == 4  # the dry run held nothing back


def test_no_smtp_host_writes_to_the_months_outbox(site: Site, monkeypatch: pytest.MonkeyPatch):
    result = run_mail(site)
    assert result.success and metadata(result)["mode"] == "dry-run"
    outbox = site.reports / "2026-09" / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 4 and not list(outbox.glob(".*"))
    # Nobody configured: the executive PDF and US (no recipients of its own) are not mailed, and say so.
    monkeypatch.setenv("TRUSTCARD_MAIL_EXECUTIVES", "")
    monkeypatch.setenv("TRUSTCARD_MAIL_OWNER", "")
    monkeypatch.setenv("TRUSTCARD_MAIL_DRY_RUN", str(site.reports / "bare"))
    meta = metadata(run_mail(site))
    bare = sorted(p.name for p in (site.reports / "bare").iterdir())
    assert bare == ["2026-09-vendor-V1.eml", "2026-09-vendor-V2.eml"]
    assert meta["not_mailed"] == ["executive (TRUSTCARD_MAIL_EXECUTIVES is empty)",
                                  "vendor 'US' (no valid report_recipients, no TRUSTCARD_MAIL_OWNER)"]


def test_vendor_pdfs_with_nobody_to_send_them_to_are_one_warning():
    # Review: a portfolio without recipients printed one warning per vendor, 27 lines in every run.
    from pipelines.defs.mail.assets import not_mailed_vendors

    assert not_mailed_vendors(["'US'"]) == ("not mailed, nobody to send it to: 1 vendor PDF (no valid "
                                            "report_recipients, no TRUSTCARD_MAIL_OWNER): 'US'")
    many = not_mailed_vendors([f"'V{i}'" for i in range(27)])
    assert many.startswith("not mailed, nobody to send it to: 27 vendor PDFs (no valid report_recipients, ")
    assert many.endswith(": 'V0', 'V1', 'V2', 'V3', 'V4' and 22 more (the step's not_mailed metadata names each)")


# --- failures ------------------------------------------------------------------------------------


def test_a_dead_server_fails_clearly_before_anything_is_logged(site: Site, monkeypatch: pytest.MonkeyPatch):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("TRUSTCARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRUSTCARD_SMTP_PORT", str(port))
    result = run_mail(site)
    assert failure(result) == f"cannot reach SMTP server 127.0.0.1:{port}: Connection refused"
    assert site.log() == []
    with pytest.raises(MailError, match=f"^cannot reach SMTP server 127.0.0.1:{port}: Connection refused$"):
        send_alert("x", "y", MailSettings.from_env(), site.reports)


def test_a_bad_setting_fails_the_asset_naming_the_variable(site: Site, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRUSTCARD_SMTP_SECURITY", "tls")
    assert "TRUSTCARD_SMTP_SECURITY must be one of starttls, ssl, none" in failure(run_mail(site))


@pytest.mark.parametrize("failure_mode", ["451 4.3.0 Try again later", "554 5.3.0 Transaction failed", "drop"])
def test_a_server_failing_midway_logs_what_it_took_and_a_rerun_sends_the_rest(site: Site, smtp, failure_mode: str):
    server = smtp(Recorder(fail_after=1, failure=failure_mode))
    result = run_mail(site)
    message = failure(result)
    assert re.fullmatch(r"SMTP server 127\.0\.0\.1:\d+ failed after 1 of 4 messages: .+; "
                        r"those sent are logged, a rerun sends the other 3", message), message
    assert "\n" not in message and (failure_mode[:3] in message or failure_mode == "drop")
    (first,) = server.received
    assert [row[2] for row in site.log()] == sorted(first.rcpt_tos)
    server.fail_after = None
    assert run_mail(site).success
    sent = Counter((_report_of(m.message), r) for m in server.received for r in m.rcpt_tos)
    assert sent == Counter((rep, r) for rep, rs in EXPECTED.items() for r in rs)  # everyone once
    assert len(site.log()) == 8


def test_a_refused_recipient_is_reported_and_retried_the_others_are_not_held_up(site: Site, smtp):
    server = smtp(Recorder(refuse={"ops@acme.example", OWNER}))
    result = run_mail(site)
    assert result.success
    meta = metadata(result)
    # V1 lists the owner in capitals: the server (like many) takes that spelling.
    assert sorted(r["recipient"] for r in meta["refused_by_server"]) == ["ops@acme.example", OWNER, OWNER]
    assert meta["refused_by_server"][0]["reply"] == "550 5.1.1 No such user"
    assert meta["messages_sent"] == 3  # US went to the owner only: refused, so not sent
    assert OWNER not in [row[2] for row in site.log()] and "ops@acme.example" not in [row[2] for row in site.log()]
    server.refuse = set()
    assert run_mail(site).success
    assert {_report_of(m.message): m.rcpt_tos for m in server.received[3:]} == {
        "US": [OWNER], "V1": ["ops@acme.example"], "V2": [OWNER]}


# --- TLS, login, alerts --------------------------------------------------------------------------


def _self_signed(folder: Path) -> tuple[Path, Path]:
    x509 = pytest.importorskip("cryptography.x509", reason="the cryptography package makes the test certificate")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd replies 535 itself


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd: implicit TLS is TLS
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_login_carries_an_alert_to_the_engineers(site: Site, smtp, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, security: str):
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    # aiosmtpd offers AUTH over implicit TLS only when told that the connection is secure enough.
    tls = ({"tls_context": context, "require_starttls": True} if security == "starttls"
           else {"ssl_context": context, "auth_require_tls": False})
    server = smtp(authenticator=_login, auth_required=True, **tls)
    monkeypatch.setenv("TRUSTCARD_SMTP_SECURITY", security)
    monkeypatch.setenv("TRUSTCARD_SMTP_USER", "mailer")
    monkeypatch.setenv("TRUSTCARD_SMTP_PASSWORD", "wrong")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate, and only it
    with pytest.raises(MailError, match=r"login as 'mailer' failed: 535"):
        send_alert("x", "y", MailSettings.from_env(), site.reports)
    monkeypatch.setenv("TRUSTCARD_SMTP_PASSWORD", "s3cret")
    send_alert("Run failed:\r\nBcc: evil@x.com", "step report_mail failed\n", MailSettings.from_env(), site.reports)
    (alert,) = server.received
    assert alert.rcpt_tos == ENGINEERS and alert.message["Subject"] == "[trustcard] Run failed: Bcc: evil@x.com"
    assert alert.message.get_content().splitlines() == ["step report_mail failed"]


def test_tls_is_never_skipped(site: Site, smtp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    server = smtp()  # plain SMTP, no STARTTLS offered
    monkeypatch.setenv("TRUSTCARD_SMTP_SECURITY", "starttls")
    with pytest.raises(MailError, match="STARTTLS failed: STARTTLS extension not supported by server"):
        send_alert("x", "y", MailSettings.from_env(), site.reports)
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    smtp(tls_context=context)
    monkeypatch.setenv("TRUSTCARD_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))  # nobody vouches for this certificate
    with pytest.raises(MailError, match="STARTTLS failed: certificate verify failed"):
        send_alert("x", "y", MailSettings.from_env(), site.reports)
    assert server.received == []


def test_alerts_without_a_host_go_to_the_outbox_and_without_engineers_nowhere(site: Site, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch):
    send_alert("Run failed", "details", MailSettings.from_env(), tmp_path / "outbox")
    (eml,) = (tmp_path / "outbox").glob("alert-*.eml")
    assert email.message_from_bytes(eml.read_bytes(), policy=policy.default)["To"] == ENGINEERS[0]
    monkeypatch.setenv("TRUSTCARD_MAIL_ENGINEERS", "")
    send_alert("Run failed", "details", MailSettings.from_env(), tmp_path / "outbox2")
    assert not (tmp_path / "outbox2").exists()


def test_deliver_writes_only_safe_file_names(tmp_path: Path):
    msg = EmailMessage()
    msg.set_content("x")
    with pytest.raises(ValueError, match="unsafe"):
        deliver([Outgoing("../escape", msg, ("a@x.example",))], MailSettings(host=""), tmp_path)
    assert list(tmp_path.iterdir()) == []
