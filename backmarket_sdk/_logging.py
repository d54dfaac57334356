"""The ``backmarket_sdk`` logger and the filter that keeps tokens out of it.

The SDK never sets a level on its logger unless ``BACKMARKET_LOG`` requests
output (``debug``, ``info`` or ``warning``), in which case it adds a stderr
handler. Requests are logged at DEBUG (method, path, status, duration),
retries and state changes found applied after a failure at INFO, and a
pagination loop cut short at WARNING. Bodies and headers are never logged.
"""

from __future__ import annotations

import logging
import os
import re
import threading

logger = logging.getLogger("backmarket_sdk")

REDACTED = "***"
_AUTH_HEADER_RE = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic\s+)?[^\s'\",}]+"
)
_BASIC_RE = re.compile(r"(?i)\bbasic\s+[A-Za-z0-9._~+/=-]{8,}")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """Add a value that the redaction filter must mask wherever it appears."""
    with _secrets_lock:
        _secrets.add(secret)


def redact(text: str) -> str:
    """Mask registered secrets and Authorization header values in text."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER_RE.sub(lambda m: m.group(1) + REDACTED, text)
    return _BASIC_RE.sub("Basic " + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrite each record's message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


_filter = RedactingFilter()
logger.addFilter(_filter)


def configure_from_env() -> None:
    """Turn on stderr output when ``BACKMARKET_LOG`` names a level."""
    level_name = os.environ.get("BACKMARKET_LOG", "").strip().upper()
    if level_name not in ("DEBUG", "INFO", "WARNING"):
        return
    handler = logging.StreamHandler()
    handler.addFilter(_filter)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level_name)


configure_from_env()
