"""Notifications by email against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from commercium_connector.host.cli import main
from commercium_connector.host.config import SmtpConfig
from commercium_connector.host.notify import Notifier
from commercium_connector.host.store import Store
from tests.host.conftest import DemoSetup

NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _smtp(port: int, **kwargs: Any) -> SmtpConfig:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "sync@shop.example",
        "recipients": ("ops@shop.example", "boss@shop.example"),
        "timeout": 5.0,
    }
    values.update(kwargs)
    return SmtpConfig(**values)


def _raise(store: Store, notifier: Notifier, key: str) -> bool:
    with store.transaction() as conn:
        return notifier.problem(
            conn, "c1", "orders_item", key, f"order {key} unlinked", now=NOW
        )


def test_email_once_per_item(tmp_path: Path, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    notifier = Notifier(_smtp(port))
    with Store.open(tmp_path / "s.sqlite") as store:
        assert _raise(store, notifier, "BM-1")
        assert _raise(store, notifier, "BM-2")
        assert notifier.flush(store, now=NOW) == 2
        assert not _raise(store, notifier, "BM-1")
        assert notifier.flush(store, now=NOW) == 0
        with store.transaction() as conn:
            notifier.resolve(conn, "c1", "orders_item", "BM-1", now=NOW)
        assert _raise(store, notifier, "BM-1")
        assert notifier.flush(store, now=NOW) == 1

    assert len(inbox.messages) == 2
    first = inbox.messages[0]
    assert first["Subject"] == "commercium-connector: 2 new problems on c1"
    assert first["From"] == "sync@shop.example"
    body = first.get_payload()
    assert "order BM-1 unlinked" in body
    assert "order BM-2 unlinked" in body
    assert inbox.recipients[0] == ["ops@shop.example", "boss@shop.example"]
    assert "BM-2" not in inbox.messages[1].get_payload()


def test_email_retried_after_failure(
    tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    with Store.open(tmp_path / "s.sqlite") as store:
        down = Notifier(_smtp(_free_port()))
        assert _raise(store, down, "BM-1")
        assert down.flush(store, now=NOW) == 0
        assert inbox.messages == []
        assert Notifier(_smtp(port)).flush(store, now=NOW) == 1
    assert len(inbox.messages) == 1


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    crypto = pytest.importorskip("cryptography")
    assert crypto
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_email_starttls_login(tmp_path: Path) -> None:
    cert_path, key_path = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert_path))
        notifier = Notifier(
            _smtp(port, security="starttls", username="sync", password="s3cret"),
            ssl_context=client_context,
        )
        with Store.open(tmp_path / "s.sqlite") as store:
            _raise(store, notifier, "BM-1")
            assert notifier.flush(store, now=NOW) == 1
    finally:
        controller.stop()
    assert logins == [(b"sync", b"s3cret")]
    assert len(inbox.messages) == 1


def test_sync_failure_emailed_once(
    demo_setup: DemoSetup, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    text = demo_setup.config.read_text(encoding="utf-8")
    smtp = (
        f'[notifications.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'sender = "sync@shop.example"\nrecipients = ["ops@shop.example"]\n\n'
    )
    demo_setup.config.write_text(smtp + text, encoding="utf-8")
    (demo_setup.folder / "token").write_text("revoked", encoding="utf-8")
    command = ["-q", "sync", "--config", str(demo_setup.config)]
    assert main(command) == 1
    assert main(command) == 1
    assert len(inbox.messages) == 1
    assert "orders sync of" in inbox.messages[0].get_payload()

    (demo_setup.folder / "token").write_text(demo_setup.sandbox.token, encoding="utf-8")
    assert main(command) == 0
    assert main(command) == 0
    # The unlinked orders of the first good run, notified once.
    assert len(inbox.messages) == 2
    assert "match no host product" in inbox.messages[1].get_payload()


def test_email_implicit_ssl(tmp_path: Path) -> None:
    cert_path, key_path = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, ssl_context=server_context
    )
    controller.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert_path))
        notifier = Notifier(_smtp(port, security="ssl"), ssl_context=client_context)
        with Store.open(tmp_path / "s.sqlite") as store:
            _raise(store, notifier, "BM-1")
            assert notifier.flush(store, now=NOW) == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_email_untrusted_certificate(tmp_path: Path) -> None:
    cert_path, key_path = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, ssl_context=server_context
    )
    controller.start()
    try:
        # The default context does not trust the test's self-signed
        # certificate, so nothing may be sent.
        notifier = Notifier(_smtp(port, security="ssl"))
        with Store.open(tmp_path / "s.sqlite") as store:
            _raise(store, notifier, "BM-1")
            assert notifier.flush(store, now=NOW) == 0
    finally:
        controller.stop()
    assert inbox.messages == []
