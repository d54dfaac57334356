"""The ``backmarket_sdk`` logger and the filter that keeps tokens out of it.

The SDK never sets a level on its logger unless ``BACKMARKET_LOG`` requests
output (``debug``, ``info`` or ``warning``), in which case it adds a stderr
handler. Requests are logged at DEBUG (method, path, status, duration),
retries and state changes found applied after a failure at INFO, and a
pagination loop cut short at WARNING. Bodies and headers are never logged.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

logger = logging.getLogger("backmarket_sdk")

REDACTED = "***"
_AUTH_HEADER_RE = re.compile(
    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic\s+)?[^\s'\",}]+"
)
_BASIC_RE = re.compile(r"(?i)\bbasic\s+[A-Za-z0-9._~+/=-]{8,}")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()


def _encoded_forms(secret: str) -> set[str]:
    """Return the secret as a server may echo it: raw, JSON, HTML or URL-encoded.

    A body that is not valid JSON, or an HTML page, is kept as text, so its
    escapes are not undone before redaction. Some JSON encoders escape ``/``.
    """
    json_form = json.dumps(secret, ensure_ascii=False)[1:-1]
    return {
        secret,
        json_form,
        json_form.replace("/", "\\/"),
        html.escape(secret),
        html.escape(secret, quote=False),
        quote(secret, safe=""),
    }


# Back Market tokens are far longer; shorter values are test placeholders.
MIN_SECRET_LENGTH = 8


def register_secret(secret: str) -> None:
    """Add a value that the redaction must mask wherever it appears.

    Its JSON-escaped, HTML-escaped and percent-encoded forms are masked too.
    A value shorter than ``MIN_SECRET_LENGTH`` is ignored: masking a test
    token such as ``tok`` would also mangle every "token" in every message.
    """
    if len(secret) < MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        _secrets.update(_encoded_forms(secret))


def redact_secrets(text: str) -> str:
    """Mask registered secrets and Authorization header values in text.

    Unlike :func:`redact`, it leaves a ``Basic`` followed by a word alone, so
    that a server's message such as "Basic authentication failed" reads as
    sent. Exceptions use it. Both functions mask a registered token.
    """
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    # Longest first, so that an encoded form is masked whole before the raw
    # secret inside it.
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _AUTH_HEADER_RE.sub(lambda m: m.group(1) + REDACTED, text)


def redact(text: str) -> str:
    """Mask registered secrets, Authorization header values and Basic credentials.

    Log records go through it.
    """
    return _BASIC_RE.sub("Basic " + REDACTED, redact_secrets(text))


# Deeper values are replaced rather than walked: an error body nested
# thousands of levels deep would otherwise raise RecursionError.
MAX_REDACT_DEPTH = 100
TOO_DEEP = "<nested too deeply to show>"


def redact_value(value: Any, depth: int = 0) -> Any:
    """Return a copy of decoded JSON with secrets masked in every string.

    Dict keys and values, list and tuple items are masked down to
    ``MAX_REDACT_DEPTH`` levels; a container below that is replaced by a
    placeholder. Values of other types are returned as they are.
    """
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, (Mapping, list, tuple)) and depth >= MAX_REDACT_DEPTH:
        return TOO_DEEP
    deeper = depth + 1
    if isinstance(value, Mapping):
        return {
            redact_value(key, deeper): redact_value(item, deeper)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_value(item, deeper) for item in value]
    if isinstance(value, tuple):
        return tuple(redact_value(item, deeper) for item in value)
    return value


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
