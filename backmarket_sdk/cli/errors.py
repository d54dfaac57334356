"""The error a subcommand raises to stop with a message and an exit status."""

from __future__ import annotations

from backmarket_sdk._logging import redact_secrets


class CommandError(Exception):
    """A command cannot go on; the message gives the reason and the fix.

    Attributes:
        exit_code: 1 for a state of the account, 2 for invalid input.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        # A message may quote values of a response, which could echo the token.
        super().__init__(redact_secrets(message))
        self.exit_code = exit_code
