"""Notifications: problems go to the log and, when configured, by email.

Each problem is recorded in the store's notification log under a key (an
order line, a shipment, a failing sync step) and notified once. A later cycle
that meets the same problem sends nothing more until the problem is resolved
and comes back. After each cycle, one email per connection lists the problems
not notified yet.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import defaultdict
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa

from commercium_connector.host.config import SmtpConfig
from commercium_connector.host.store import Store
from commercium_connector.host.store import notifications as log_table

logger = logging.getLogger(__name__)


class Notifier:
    """Records problems in the notification log and emails the new ones.

    Args:
        smtp: Where to send email, or None to tell problems through the
            log only.
        ssl_context: TLS settings for STARTTLS and SSL; the default context
            verifies the server's certificate.
    """

    def __init__(
        self,
        smtp: SmtpConfig | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.smtp = smtp
        self._ssl_context = ssl_context

    def problem(
        self,
        conn: sa.Connection,
        connection_id: str,
        kind: str,
        key: str,
        subject: str,
        body: str = "",
        *,
        now: datetime,
    ) -> bool:
        """Record a problem in the caller's transaction; log it if it is new.

        Returns:
            Whether the problem is new.
        """
        new = log_table.open_notification(
            conn, connection_id, kind, key, subject, body or subject, now=now
        )
        if new:
            logger.warning(
                "%s",
                subject,
                extra={"connection": connection_id, "kind": kind, "key": key},
            )
        return new

    def resolve(
        self,
        conn: sa.Connection,
        connection_id: str,
        kind: str,
        key: str,
        *,
        now: datetime,
    ) -> None:
        """Mark a problem resolved, so that it is notified again if it returns."""
        if log_table.resolve_notification(conn, connection_id, kind, key, now=now):
            logger.info(
                "resolved: %s %s", kind, key, extra={"connection": connection_id}
            )

    def flush(self, store: Store, *, now: datetime) -> int:
        """Email the problems not notified yet, one message per connection.

        Without SMTP settings the log line was the notice, and the problems
        are marked sent at once. A failed email is logged and tried again
        after the next cycle.

        Returns:
            How many problems were emailed.
        """
        with store.read() as conn:
            pending = log_table.unsent_notifications(conn)
        if not pending:
            return 0
        if self.smtp is None:
            with store.transaction() as conn:
                log_table.mark_sent(conn, [n.id for n in pending], now=now)
            return 0
        by_connection: dict[str, list[log_table.Notification]] = defaultdict(list)
        for notification in pending:
            by_connection[notification.connection_id].append(notification)
        emailed = 0
        for connection_id, items in by_connection.items():
            ids = [n.id for n in items]
            try:
                self._send(connection_id, items)
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                logger.error(
                    "sending the notification email for %s through %s:%s failed: %s",
                    connection_id,
                    self.smtp.host,
                    self.smtp.port,
                    error,
                )
                with store.transaction() as conn:
                    log_table.mark_failed(conn, ids, error)
                continue
            # NOTE: a crash between sending and this commit sends the email
            # again after the next cycle; each email goes out at least once.
            with store.transaction() as conn:
                log_table.mark_sent(conn, ids, now=now)
            emailed += len(items)
        return emailed

    def _send(self, connection_id: str, items: list[log_table.Notification]) -> None:
        smtp = self.smtp
        assert smtp is not None
        message = EmailMessage()
        count = len(items)
        noun = "problem" if count == 1 else "problems"
        message["Subject"] = (
            f"commercium-connector: {count} new {noun} on {connection_id}"
        )
        message["From"] = smtp.sender
        message["To"] = ", ".join(smtp.recipients)
        body = [f"Connection {connection_id} has {count} new {noun}:", ""]
        for item in items:
            body.append(f"- {item.subject}")
            if item.body and item.body != item.subject:
                body.extend(f"    {line}" for line in item.body.splitlines())
        body += [
            "",
            "Each problem is notified once; `commercium-connector status` lists "
            "the open ones.",
        ]
        message.set_content("\n".join(body) + "\n")

        context = self._ssl_context or ssl.create_default_context()
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username is not None and smtp.password is not None:
                client.login(smtp.username, smtp.password)
            client.send_message(message)
