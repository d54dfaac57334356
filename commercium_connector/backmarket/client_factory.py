"""Build the SDK client of a connection and turn SDK errors into host errors.

The token comes from ``connection.credentials["token"]`` and the market and
user agent from the settings. The host options, checked by
``options.parse_options``, add ``base_url`` (an explicit API root such as a
sandbox on 127.0.0.1), ``timeout`` (seconds) and, for tests and sandboxes,
``transport`` (an httpx transport used instead of the network), ``sleep``,
which also paces the client's retries and rate limiting, and ``clock``, the
rate limiter's time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from backmarket_sdk import BackMarketClient
from backmarket_sdk import errors as bm_errors
from commercium_connector.backmarket.limiters import token_limiter
from commercium_connector.backmarket.options import ClientOptions, parse_options
from commercium_connector.backmarket.settings import BackMarketSettings
from commercium_connector.errors import ChannelUnavailableError
from commercium_connector.types import Connection

# Errors that concern one item (its order, listing or values) rather than the
# whole connection: the item gets a failed result and the sync goes on.
ITEM_ERRORS: tuple[type[Exception], ...] = (
    bm_errors.ValidationError,
    bm_errors.NotFoundError,
    bm_errors.InvalidRequestError,
    bm_errors.MalformedResponseError,
)


def build_client(
    connection: Connection,
    settings: BackMarketSettings,
    options: ClientOptions | None = None,
) -> BackMarketClient:
    """Return a client for the connection's account and market.

    Args:
        connection: The connection to serve.
        settings: Its typed settings.
        options: Its checked host options; when None they are read from
            ``connection.options``.

    Raises:
        SettingsError: An unknown host option or one of the wrong kind.
        ChannelUnavailableError: The token is missing or the client cannot be
            configured (for example a base URL off Back Market and loopback).
    """
    if options is None:
        options = parse_options(connection.options)
    token = connection.credentials.get("token", "")
    if not token.strip():
        raise ChannelUnavailableError(
            f"connection {connection.id!r} has no Back Market token: set the "
            "credential 'token' to the API token of the seller's Back Office",
            retryable=False,
        )
    try:
        return BackMarketClient(
            token=token.strip(),
            rate_limiter=token_limiter(
                token.strip(), options.base_url, options.transport, options.clock
            ),
            market=settings.market,
            environment=settings.environment,
            base_url=options.base_url,
            user_agent=settings.user_agent,
            transport=options.transport,
            sleep=options.sleep,
            clock=options.clock,
            timeout=options.timeout,
        )
    except bm_errors.ConfigurationError as error:
        # ConfigurationError messages never carry the token.
        raise ChannelUnavailableError(
            f"cannot configure the Back Market client of connection "
            f"{connection.id!r}: {error}",
            retryable=False,
        ) from None


def describe_unavailable(error: bm_errors.BackMarketError) -> tuple[str, bool]:
    """Return a message for a connection-wide error and whether a retry may succeed."""
    if isinstance(error, bm_errors.AuthenticationError):
        return (
            "Back Market rejected the token (401): check that it is the current "
            "token of the seller's Back Office for this platform and environment; "
            "it changes when the Back Office password changes",
            False,
        )
    if isinstance(error, bm_errors.WAFBlockedError):
        return (
            "Back Market's firewall blocked the requests (403); quote the cf-ray "
            f"id to Back Market support: {error}",
            True,
        )
    if isinstance(error, bm_errors.PermissionDeniedError):
        return (
            f"Back Market denied access (403); check the account's API rights: {error}",
            False,
        )
    if isinstance(error, bm_errors.RateLimitError):
        return (f"Back Market rate limit reached (429); retry later: {error}", True)
    if isinstance(error, bm_errors.ServerError):
        return (f"Back Market is failing (server error): {error}", True)
    if isinstance(error, bm_errors.APIConnectionError):
        return (f"cannot reach Back Market: {error}", True)
    return (f"Back Market request failed: {error}", True)


@contextmanager
def connection_errors(connection: Connection) -> Iterator[None]:
    """Turn SDK errors that concern the whole connection into one host error.

    Errors in ``ITEM_ERRORS`` pass through unchanged: callers catch them per
    item. Every other SDK error becomes ``ChannelUnavailableError``.
    """
    try:
        yield
    except ITEM_ERRORS:
        raise
    except bm_errors.BackMarketError as error:
        message, retryable = describe_unavailable(error)
        raise ChannelUnavailableError(
            f"connection {connection.id!r} ({connection.name}): {message}",
            retryable=retryable,
        ) from error
