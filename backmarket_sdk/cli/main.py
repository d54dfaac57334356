"""Entry point of the ``backmarket`` command: parse, run, report errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from rich.console import Console

from backmarket_sdk import errors
from backmarket_sdk.cli.commands import HANDLERS
from backmarket_sdk.cli.errors import CommandError
from backmarket_sdk.cli.parser import build_parser
from backmarket_sdk.cli.session import open_session
from backmarket_sdk.cli.terminal_text import escape_controls, plain_console

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


RATE_LIMIT_HINT = (
    "Back Market blocks a token for about 10 seconds after too many requests: "
    "run the command again in a minute. If the 429 comes back, the budget of "
    "about 2,000 SKU lines an hour (listing updates and catalog rows together) "
    "is probably spent, and only waiting up to an hour helps."
)

CATALOG_RATE_LIMIT_HINT = (
    "Each catalog row counts one SKU line against Back Market's budget of about "
    "2,000 an hour, shared with listing updates, so the lines changed in the "
    "last hour probably left too little room for this catalog. Waiting a minute "
    "does not help: send it again in an hour, or split it into smaller files "
    "sent an hour apart."
)


def _rate_limit_hint(
    error: errors.RateLimitError, command: tuple[str, str] | None
) -> str:
    if command != ("catalog", "import"):
        return RATE_LIMIT_HINT
    hint = CATALOG_RATE_LIMIT_HINT
    if error.created_task_ids:
        # A catalog of over 15,000 lines goes as several requests, and the
        # ones before the 429 already became tasks.
        ids = ", ".join(map(str, error.created_task_ids))
        hint += (
            f" The first rows already became tasks {ids}: follow them with "
            "backmarket tasks wait TASK_ID and send only the remaining rows."
        )
    return hint


def describe_error(
    error: errors.BackMarketError, command: tuple[str, str] | None = None
) -> tuple[str, int]:
    """Return the message printed for an SDK error and the exit status.

    Args:
        error: The error the subcommand raised.
        command: The subcommand as (resource, action), such as
            ``("catalog", "import")``, for hints that depend on it.
    """
    if isinstance(error, errors.ConfigurationError):
        hint = (
            "Set BACKMARKET_TOKEN, BACKMARKET_MARKET and BACKMARKET_USER_AGENT (or "
            "--token, --market and --user-agent), or add --sandbox to try the "
            "command without an account."
        )
        return f"{escape_controls(str(error))}\n{hint}", EXIT_USAGE
    if isinstance(error, errors.InvalidRequestError):
        return escape_controls(str(error)), EXIT_USAGE
    if isinstance(error, errors.AuthenticationError):
        hint = (
            "Check BACKMARKET_TOKEN: use the current token of the Back Office, "
            "for the platform and environment of --market and --environment."
        )
    elif isinstance(error, errors.WAFBlockedError):
        hint = (
            "Back Market's firewall blocked the request; quote the cf-ray to support."
        )
    elif isinstance(error, errors.NotFoundError):
        hint = "Check the id: it does not exist or belongs to another seller."
    elif isinstance(error, errors.RateLimitError):
        hint = _rate_limit_hint(error, command)
    elif isinstance(error, errors.TaskTimeoutError):
        hint = f"Follow it later with: backmarket tasks wait {error.task.task_id}"
    elif isinstance(error, errors.APIConnectionError):
        hint = "Check the network and --base-url, then run the command again."
    else:
        hint = ""
    return f"{escape_controls(str(error))}\n{hint}".strip(), EXIT_FAILED


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    console: Console | None = None,
) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: Arguments without the program name; None reads ``sys.argv``.
        environ: Environment to read ``BACKMARKET_*`` from; None for
            ``os.environ``.
        console: Where results go; None for standard output.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    out = console or plain_console()
    err = plain_console(stderr=True, soft_wrap=True)
    handler = HANDLERS[(args.resource, args.action)]
    try:
        with open_session(args, environ) as session:
            return handler(session, args, out)
    except CommandError as error:
        err.print(f"error: {escape_controls(str(error))}")
        return error.exit_code
    except errors.BackMarketError as error:
        message, status = describe_error(error, (args.resource, args.action))
        err.print(f"error: {message}")
        return status
    except KeyboardInterrupt:
        err.print("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (such as `head`) closed the pipe: stop quietly, and point
        # stdout at devnull so that the interpreter's final flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
