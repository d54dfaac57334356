"""Exceptions raised by the Back Market SDK.

``BackMarketError`` is the root. Calls the server answered with an error status
raise an ``APIStatusError`` subclass that carries the status, the request, Back
Market's error code and message, the ``requestId`` and ``cf-ray`` trace ids
and the parsed body. ``str()`` of every error includes the trace ids so that
one log line is enough to ask Back Market support.

No error includes the token. Each error masks the secrets registered with
``backmarket_sdk._logging.register_secret`` (every client registers its token)
and Authorization header values in its message, body and every other text it
stores, even when a server echoes them back.

A ``MalformedResponseError`` for a response that does not fit a model is
raised without a ``__cause__``: the model error's message, which may quote a
value of the response, is part of its own message and masked with it.
"""

from __future__ import annotations

from typing import Any

from backmarket_sdk._logging import redact_secrets, redact_value


def _redact_optional(text: str | None) -> str | None:
    return None if text is None else redact_secrets(text)


class BackMarketError(Exception):
    """Root of every error the SDK raises.

    Attributes:
        created_task_ids: Ids of the catalog tasks that
            ``listings.import_catalog()`` had already created when this error
            stopped it, in order. Follow them with ``tasks.wait()`` and send
            only the remaining rows again, or the first ones are sent twice.
            After a timeout or a connection error, the failed catalog may
            have become a task as well: read its rows' listings first.
            Empty for every other call.
    """

    created_task_ids: tuple[int, ...] = ()

    def __init__(self, *args: Any) -> None:
        # The arguments make up the default str() and repr(), so they are
        # masked before Exception stores them.
        super().__init__(*redact_value(args))

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only arguments that pickle's default, which
        # calls cls(*args), cannot pass: rebuild from args and attributes.
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))


def _rebuild(
    cls: type[BackMarketError], args: tuple[Any, ...], state: dict[str, Any]
) -> BackMarketError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigurationError(BackMarketError, ValueError):
    """A token, market, platform, user agent, base URL or limit is invalid."""


class InvalidRequestError(BackMarketError, ValueError):
    """A call was rejected locally, before any request was sent."""


class ClientClosedError(BackMarketError, RuntimeError):
    """A call was made on a client after ``close()`` or its ``with`` block."""


class EventLoopError(BackMarketError, RuntimeError):
    """An async client was used in an event loop other than its first one.

    httpx binds an async client's connections to the loop that opened them,
    so a client cannot move to the loop of a later ``asyncio.run()``.
    """


class TaskTimeoutError(BackMarketError, TimeoutError):
    """A task was still unfinished when ``tasks.wait()`` gave up.

    Attributes:
        task: The task as last read (a :class:`backmarket_sdk.models.Task`).
    """

    def __init__(self, message: str, *, task: Any) -> None:
        super().__init__(message)
        self.task = task


class APIError(BackMarketError):
    """An error tied to one HTTP request.

    Attributes:
        message: What failed, in plain words.
        method: HTTP method of the request.
        url: URL of the request (it never contains the token).
    """

    def __init__(self, message: str, *, method: str, url: str) -> None:
        message = redact_secrets(message)
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = redact_secrets(url)

    def __str__(self) -> str:
        return f"{self.message} ({self.method} {self.url})"


class APIConnectionError(APIError):
    """The request failed before a response arrived (DNS, refused, reset)."""


class APITimeoutError(APIConnectionError):
    """The request timed out; the server may or may not have processed it."""


class APIStatusError(APIError):
    """The server returned an error status or an unreadable body.

    Attributes:
        status: HTTP status code.
        code: Back Market error code (``E009``, ``bot-need-challenge``, a problem
            type such as ``/errors/authorization-failed``) or None.
        request_id: The body's ``requestId`` or None.
        cf_ray: The ``cf-ray`` header to quote to Back Market support, or None.
        body: The parsed body, secrets masked: a dict or list for JSON, a string
            for a bare JSON string, HTML or malformed JSON, None when empty.
        retry_after: Seconds from a Retry-After header, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        code: str | None = None,
        request_id: str | None = None,
        cf_ray: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status = status
        self.code = _redact_optional(code)
        self.request_id = _redact_optional(request_id)
        self.cf_ray = _redact_optional(cf_ray)
        self.body = redact_value(body)
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [f"{self.status} {self.method} {self.url}: {self.message}"]
        if self.code:
            parts.append(f"code={self.code}")
        if self.request_id:
            parts.append(f"requestId={self.request_id}")
        if self.cf_ray:
            parts.append(f"cf-ray={self.cf_ray}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, method={self.method!r}, "
            f"url={self.url!r}, code={self.code!r}, request_id={self.request_id!r}, "
            f"cf_ray={self.cf_ray!r}, message={self.message!r})"
        )


class AuthenticationError(APIStatusError):
    """401: the token is wrong, expired or for another platform or environment."""


class PermissionDeniedError(APIStatusError):
    """403 from Back Market: the account may not use this endpoint."""


class WAFBlockedError(PermissionDeniedError):
    """403 from the web application firewall or bot management.

    Quote ``cf_ray`` to Back Market support to get the block lifted.
    """


class NotFoundError(APIStatusError):
    """404: the resource does not exist or belongs to another seller."""


class ValidationError(APIStatusError):
    """400 or 422: Back Market rejected the request's parameters or body."""


class RateLimitError(APIStatusError):
    """429: too many requests; the client is blocked for a while."""


class ServerError(APIStatusError):
    """5xx: Back Market failed to process the request."""


class MalformedResponseError(APIStatusError):
    """A success status came with a body that is not the JSON expected."""


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BackMarketError",
    "ClientClosedError",
    "ConfigurationError",
    "InvalidRequestError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TaskTimeoutError",
    "ValidationError",
    "WAFBlockedError",
]
