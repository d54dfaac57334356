"""Request building and response parsing shared by the sync and async clients.

Everything here is pure: it turns a :class:`RequestSpec` into an
``httpx.Request`` and an ``httpx.Response`` into JSON data or a typed error.
The clients differ only in how they send the request and wait.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import httpx

from backmarket_sdk import errors
from backmarket_sdk._config import ClientConfig
from backmarket_sdk._json import loads
from backmarket_sdk._logging import redact_secrets

RetryMode = Literal["safe", "unprocessed", "confirm"]
"""Policy for repeating a failed call.

``safe``: a read or an absolute-value update, resent after any retryable
failure. ``unprocessed``: resent only when the server surely did not process
it (connection refused, 429). ``confirm``: a state change, resent only after
a read shows that the earlier attempt did not apply.
"""

BODY_KEEP_CHARS = 4096
BOT_CHALLENGE_CODE = "bot-need-challenge"
QueryValue = str | int | float


@attrs.frozen
class MultipartPart:
    """One file part of a multipart/form-data body.

    Attributes:
        name: Form field name; several parts may share one, such as
            ``attachment``.
        content: The part's bytes.
        filename: File name sent in the part's Content-Disposition, or None
            for a part without one.
        content_type: Media type of the part, or None to send none.
    """

    name: str
    content: bytes
    filename: str | None = None
    content_type: str | None = None


FormField = tuple[str, str]
"""A plain text field of a multipart body: ``(name, value)``."""


@attrs.frozen
class RequestSpec:
    """One API call, independent of the client that sends it.

    A call with at least one ``form`` field or ``files`` part sends a
    multipart/form-data body: the form fields first, then the file parts,
    each in the given order. Repeated names are sent as repeated parts.

    Attributes:
        method: HTTP method.
        path: Path under the base URL, starting with ``/ws/``.
        params: Query parameters; None values are left out.
        json: JSON body, or None.
        form: Multipart text fields, or None.
        files: Multipart file parts, or None.
        catalog: True when the call counts against the catalog budget.
        retry: How the call may be repeated after a failure.
        text_response: True when the operation documents a plain-text success
            body. The client then returns that text, where it would otherwise
            report a body that is not JSON as malformed.
        expects_body: True when an empty success body is malformed for this
            call, False when it is valid, None to require a body of GET calls
            only (see :attr:`body_required`).
    """

    method: str
    path: str
    params: Mapping[str, QueryValue | None] | None = None
    json: Any = None
    form: Sequence[FormField] | None = None
    files: Sequence[MultipartPart] | None = None
    catalog: bool = False
    retry: RetryMode = "safe"
    text_response: bool = False
    expects_body: bool | None = None

    @property
    def is_multipart(self) -> bool:
        """True when the call sends a multipart/form-data body."""
        return self.form is not None or self.files is not None

    @property
    def body_required(self) -> bool:
        """True when a success response without a body is malformed."""
        return requires_body(self.method, self.text_response, self.expects_body)


def requires_body(
    method: str, text_response: bool, expects_body: bool | None = None
) -> bool:
    """Return True when a call's success response must have a body.

    ``expects_body`` decides when set. Otherwise only GET calls require one,
    because every read in Back Market's API description returns a body, while
    a write may return 204 No Content. A plain-text call never requires one,
    since its text may be empty.
    """
    if text_response:
        return False
    if expects_body is not None:
        return expects_body
    return method.upper() == "GET"


def build_headers(config: ClientConfig) -> dict[str, str]:
    """Return the headers every call carries, the token included as issued."""
    return {
        "Authorization": f"Basic {config.token}",
        "Accept-Language": config.market,
        "Accept": "application/json",
        "User-Agent": config.user_agent,
    }


def build_request(config: ClientConfig, spec: RequestSpec) -> httpx.Request:
    """Build the ``httpx.Request`` for a call."""
    headers = build_headers(config)
    params = None
    if spec.params:
        params = {k: v for k, v in spec.params.items() if v is not None}
    url = config.base_url + spec.path
    if spec.is_multipart:
        return httpx.Request(
            spec.method, url, params=params, headers=headers, files=multipart(spec)
        )
    if spec.json is not None:
        headers["Content-Type"] = "application/json"
        content = json.dumps(spec.json, separators=(",", ":")).encode("utf-8")
        return httpx.Request(
            spec.method, url, params=params, headers=headers, content=content
        )
    headers["Content-Type"] = "application/json"
    return httpx.Request(spec.method, url, params=params, headers=headers)


HttpxFile = tuple[str, tuple[str | None, bytes, str | None]]
TEXT_FIELD_TYPE = "text/plain; charset=utf-8"


def multipart(spec: RequestSpec) -> list[HttpxFile]:
    """Return the parts of a multipart call in httpx's ``files`` list form.

    Text fields go in the same list as files, as parts without a file name,
    so that httpx always sends multipart/form-data, even for a body of text
    fields alone, and keeps repeated names. Each declares its UTF-8 charset,
    as RFC 7578 allows, because a message or comment may hold any text.
    """
    parts: list[HttpxFile] = [
        (name, (None, value.encode("utf-8"), TEXT_FIELD_TYPE))
        for name, value in spec.form or ()
    ]
    for part in spec.files or ():
        parts.append((part.name, (part.filename, part.content, part.content_type)))
    return parts


BodyKind = Literal["json", "empty", "html", "malformed"]


def decode_body(response: httpx.Response) -> tuple[BodyKind, Any]:
    """Decode a body and report its kind: JSON, empty, HTML or malformed JSON."""
    content = response.content
    # isspace() and a short slice avoid copying a large body.
    if not content or content.isspace():
        return "empty", None
    content_type = response.headers.get("content-type", "").lower()
    head = content[:64].lstrip()[:1]
    if "html" in content_type or head == b"<":
        return "html", _kept_text(response)
    try:
        return "json", loads(content)
    except ValueError:
        return "malformed", _kept_text(response)


def _kept_text(response: httpx.Response) -> str:
    # Secrets are masked before the cut, which could otherwise keep the first
    # characters of an echoed token.
    return redact_secrets(response.text)[:BODY_KEEP_CHARS]


def _first_error(items: list[Any]) -> tuple[str | None, str | None]:
    first = items[0]
    if not isinstance(first, Mapping):
        return None, str(first)
    code = first.get("code") or first.get("type")
    message = first.get("message") or first.get("detail") or first.get("title")
    if len(items) > 1 and message:
        message = f"{message} (and {len(items) - 1} more)"
    return _opt_str(code), _opt_str(message)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def describe_error_body(body: Any) -> tuple[str | None, str | None, str | None]:
    """Extract (code, message, requestId) from any of Back Market's envelopes.

    Handles ``{error: {code, message}, requestId}``, ``{errors: [...]}``,
    ``{error, status, title, type}`` with or without ``errors[]``, problem
    details with a ``type`` path, a top-level ``code``, and a bare string.
    """
    if isinstance(body, str):
        return None, body, None
    if not isinstance(body, Mapping):
        return None, None, None
    request_id = _opt_str(body.get("requestId"))
    code: str | None = None
    message: str | None = None
    error = body.get("error")
    if isinstance(error, Mapping):
        code = _opt_str(error.get("code"))
        message = _opt_str(error.get("message"))
    elif isinstance(error, str):
        message = error
    listed = body.get("errors")
    if isinstance(listed, list) and listed:
        listed_code, listed_message = _first_error(listed)
        code = code or listed_code
        message = message or listed_message
    if code is None and isinstance(body.get("code"), str):
        code = body["code"]
    if code is None and isinstance(body.get("type"), str):
        code = body["type"]
    if message is None:
        for key in ("message", "detail", "title"):
            if isinstance(body.get(key), str):
                message = body[key]
                break
    return code, message, request_id


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Return the wait in seconds that a Retry-After header requests, or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _status_class(
    status: int, kind: BodyKind, code: str | None
) -> type[errors.APIStatusError]:
    if status == 401:
        return errors.AuthenticationError
    if status == 403:
        if kind == "html" or code == BOT_CHALLENGE_CODE:
            return errors.WAFBlockedError
        return errors.PermissionDeniedError
    if status == 404:
        return errors.NotFoundError
    if status in (400, 422):
        return errors.ValidationError
    if status == 429:
        return errors.RateLimitError
    if status >= 500:
        return errors.ServerError
    return errors.APIStatusError


def _default_message(status: int, kind: BodyKind, reason: str) -> str:
    if kind == "html":
        return f"HTTP {status} {reason} with an HTML page instead of JSON"
    if kind == "malformed":
        return f"HTTP {status} {reason} with a body that is not valid JSON"
    return f"HTTP {status} {reason}"


def _hint(cls: type[errors.APIStatusError], cf_ray: str | None) -> str:
    if cls is errors.AuthenticationError:
        return (
            "Check the token, platform and environment; if the Back Office "
            "password changed, generate a new token in the Back Office "
            "(Integrations) and update BACKMARKET_TOKEN."
        )
    if cls is errors.WAFBlockedError:
        ray = f" and quote cf-ray {cf_ray}" if cf_ray else ""
        return (
            "Blocked by Back Market's firewall or bot management: check the user "
            f"agent, slow down{ray} to Back Market support if it persists."
        )
    if cls is errors.RateLimitError:
        return "Rate limited by Back Market; the client waits before retrying."
    return ""


def error_from_response(
    response: httpx.Response, method: str, url: str
) -> errors.APIStatusError:
    """Build the typed error for a non-2xx response."""
    kind, body = decode_body(response)
    status = response.status_code
    code, message, request_id = (None, None, None)
    if kind == "json":
        code, message, request_id = describe_error_body(body)
    cls = _status_class(status, kind, code)
    cf_ray = response.headers.get("cf-ray")
    text = message or _default_message(status, kind, response.reason_phrase)
    hint = _hint(cls, cf_ray)
    if hint:
        text = f"{text}. {hint}"
    return cls(
        text,
        status=status,
        method=method,
        url=url,
        code=code,
        request_id=request_id,
        cf_ray=cf_ray,
        body=body,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def _is_plain_text(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    return content_type.startswith("text/") and "html" not in content_type


def parse_response(
    response: httpx.Response,
    method: str,
    url: str,
    *,
    text_response: bool = False,
    body_required: bool | None = None,
) -> Any:
    """Return the decoded body of a success response or raise the typed error.

    Args:
        response: The response.
        method: HTTP method of the call, for errors.
        url: URL of the call, for errors.
        text_response: The operation documents a plain-text success body.
            A ``text/*`` body other than HTML, or any body that is neither
            JSON nor HTML, is then returned as a string.
        body_required: True when an empty success body is malformed (pass
            ``RequestSpec.body_required``). None applies
            :func:`requires_body` to ``method`` and ``text_response``.

    Returns:
        The decoded JSON, None for an allowed empty body, or the text
        described above.

    Raises:
        APIStatusError: A subclass matching the status. A success status whose
            body is HTML or malformed JSON, where no text is expected, or that
            is empty, where a body is required, raises
            ``MalformedResponseError`` with the status received.
    """
    if not response.is_success:
        raise error_from_response(response, method, url)
    if text_response and response.content and _is_plain_text(response):
        return response.text
    kind, body = decode_body(response)
    if body_required is None:
        body_required = requires_body(method, text_response)
    if kind == "json" or (kind == "empty" and not body_required):
        return body
    if kind == "malformed" and text_response:
        return response.text
    message = _default_message(response.status_code, kind, response.reason_phrase)
    if kind == "empty":
        message = f"{message} with an empty body where JSON was expected"
    raise errors.MalformedResponseError(
        message,
        status=response.status_code,
        method=method,
        url=url,
        cf_ray=response.headers.get("cf-ray"),
        body=body,
    )


def error_from_transport(
    exc: httpx.TransportError, method: str, url: str
) -> errors.APIConnectionError:
    """Map an httpx transport failure to the SDK's connection errors."""
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return errors.APITimeoutError(
            f"Request timed out ({name}); the server may have processed it",
            method=method,
            url=url,
        )
    return errors.APIConnectionError(
        f"Connection failed ({name}: {exc})", method=method, url=url
    )


def display_url(request: httpx.Request) -> str:
    """Return the request URL as shown in errors and logs."""
    return str(request.url)
