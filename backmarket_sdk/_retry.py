"""When and how long to wait before a failed call is sent again (tenacity).

Retried: 429, 502, 503 and 504, transport failures (refused, reset,
timeouts) and success responses whose JSON came truncated or malformed. The
wait doubles from ``initial_backoff`` up to ``max_backoff`` with jitter. A
Retry-After header wins when present; a 429 without one waits at least the
10 seconds Back Market documents for its block. A Retry-After longer than
``max_retry_after`` is not waited for: the error is raised at once.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import attrs
import httpx
import tenacity

from backmarket_sdk import errors
from backmarket_sdk._logging import logger

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
RATE_LIMIT_BLOCK_SECONDS = 10.0

OnRetry = Callable[[BaseException, float], None]


@attrs.frozen
class RetryPolicy:
    """Bounds and backoff of retries.

    Attributes:
        max_retries: Retries after the first attempt.
        initial_backoff: Wait before the first retry, in seconds, before jitter.
        max_backoff: Cap of the exponential wait, in seconds.
        rate_limit_block: Minimum wait after a 429 without Retry-After.
        max_retry_after: Longest Retry-After honoured; longer ones raise.
    """

    max_retries: int = 3
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    rate_limit_block: float = RATE_LIMIT_BLOCK_SECONDS
    max_retry_after: float = 60.0


def was_unprocessed(exc: BaseException) -> bool:
    """Return True when the server surely did not process the request."""
    if isinstance(exc, errors.RateLimitError):
        return True
    return isinstance(exc, errors.APIConnectionError) and isinstance(
        exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout)
    )


def is_retryable(policy: RetryPolicy, exc: BaseException) -> bool:
    """Return True when a failed attempt may be made again."""
    if (
        isinstance(exc, errors.APIStatusError)
        and exc.retry_after is not None
        and exc.retry_after > policy.max_retry_after
    ):
        return False
    if isinstance(exc, errors.APIConnectionError):
        return True
    if isinstance(exc, errors.MalformedResponseError):
        return True
    return isinstance(exc, errors.APIStatusError) and exc.status in RETRYABLE_STATUSES


def compute_wait(
    policy: RetryPolicy,
    attempt_number: int,
    exc: BaseException | None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Return the seconds to wait after failed attempt ``attempt_number``."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        return float(retry_after)
    backoff = min(
        policy.initial_backoff * 2.0 ** (attempt_number - 1), policy.max_backoff
    )
    # "Equal jitter": half fixed, half random, so clients that failed together
    # spread out but none retries immediately.
    backoff = backoff / 2 + rand() * backoff / 2
    if isinstance(exc, errors.RateLimitError):
        return max(policy.rate_limit_block, backoff)
    return backoff


def _describe(exc: BaseException) -> str:
    # Path only: a query may carry seller data (a SKU) that INFO logs omit.
    if isinstance(exc, errors.APIStatusError):
        return f"{exc.status} {exc.method} {urlsplit(exc.url).path}"
    if isinstance(exc, errors.APIError):
        return f"{type(exc).__name__} {exc.method} {urlsplit(exc.url).path}"
    return type(exc).__name__


def _retry_kwargs(
    policy: RetryPolicy, on_retry: OnRetry | None, unprocessed_only: bool
) -> dict[str, object]:
    def retry(exc: BaseException) -> bool:
        if unprocessed_only and not was_unprocessed(exc):
            return False
        return is_retryable(policy, exc)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return compute_wait(policy, state.attempt_number, exc)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        seconds = state.next_action.sleep if state.next_action else 0.0
        if exc is None:
            return
        logger.info(
            "Retrying after %s (attempt %d of %d) in %.1f s",
            _describe(exc),
            state.attempt_number,
            policy.max_retries + 1,
            seconds,
        )
        if on_retry is not None:
            on_retry(exc, seconds)

    return {
        "stop": tenacity.stop_after_attempt(policy.max_retries + 1),
        "wait": wait,
        "retry": tenacity.retry_if_exception(retry),
        "before_sleep": before_sleep,
        "reraise": True,
    }


def sync_retrying(
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    on_retry: OnRetry | None,
    *,
    unprocessed_only: bool = False,
) -> tenacity.Retrying:
    """Build the retry loop of a sync call."""
    kwargs = _retry_kwargs(policy, on_retry, unprocessed_only)
    return tenacity.Retrying(sleep=sleep, **kwargs)  # type: ignore[arg-type]


def async_retrying(
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]],
    on_retry: OnRetry | None,
    *,
    unprocessed_only: bool = False,
) -> tenacity.AsyncRetrying:
    """Build the retry loop of an async call."""
    kwargs = _retry_kwargs(policy, on_retry, unprocessed_only)
    return tenacity.AsyncRetrying(sleep=sleep, **kwargs)  # type: ignore[arg-type]
