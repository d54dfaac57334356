"""Errors a channel plugin raises across the host contract.

A hook never raises for one bad item: that item gets a failed result. It
raises one of these when nothing can be done for the whole connection.
"""

from __future__ import annotations

from collections.abc import Sequence

from commercium_connector.types import SettingsProblem


class ConnectorError(Exception):
    """Base class of the errors a channel plugin raises to the host."""


class SettingsError(ConnectorError):
    """The connection's settings are invalid; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[SettingsProblem]) -> None:
        self.problems = tuple(problems)
        lines = [f"{p.key}: {p.message}" for p in self.problems]
        super().__init__("invalid settings:\n  " + "\n  ".join(lines))


class ChannelUnavailableError(ConnectorError):
    """The marketplace cannot be used now: bad token, API down, blocked.

    Attributes:
        retryable: Whether the next cycle may succeed without a change by the
            seller (an outage, as opposed to a revoked token).
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable
