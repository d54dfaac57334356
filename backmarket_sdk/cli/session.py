"""Open the client a command works with: a real account or a sandbox."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import attrs

from backmarket_sdk._client import BackMarketClient
from backmarket_sdk._config import ClientConfig
from backmarket_sdk.cli.errors import CommandError

SANDBOX_USER_AGENT = "BM-Sandbox-Cli;sandbox@example.com"
"""User agent sent to the sandbox when none is configured."""

# The sandbox finishes a catalog task this many sandbox seconds after it
# was sent, so that `catalog import --sandbox` shows a task that runs and
# completes in under a second.
SANDBOX_TASK_START = 0.1
SANDBOX_TASK_DURATION = 0.5

POLL_INTERVAL = 5.0
SANDBOX_POLL_INTERVAL = 0.25


@attrs.frozen
class Session:
    """The client of one command and whether it talks to a sandbox."""

    client: BackMarketClient
    sandbox: bool

    @property
    def poll_interval(self) -> float:
        """Default seconds between two reads of a task."""
        return SANDBOX_POLL_INTERVAL if self.sandbox else POLL_INTERVAL


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    """Return the connection options given on the command line.

    An option given with an empty value is kept, so that the client rejects
    it rather than reading the environment variable in its place.
    """
    names = ("token", "market", "platform", "environment", "base_url", "user_agent")
    return {
        name: getattr(args, name) for name in names if getattr(args, name) is not None
    }


def _sandbox_user_agent(overrides: Mapping[str, str], env: Mapping[str, str]) -> str:
    if "user_agent" in overrides:
        return overrides["user_agent"]
    return env.get("BACKMARKET_USER_AGENT") or SANDBOX_USER_AGENT


@contextmanager
def open_session(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> Iterator[Session]:
    """Yield the client the options and environment describe, then close it.

    With ``--sandbox`` the client talks to a new sandbox served on 127.0.0.1
    and reads only the market and user agent from the environment, so a real
    token is never sent to it.

    Raises:
        ConfigurationError: A setting is missing or invalid.
        CommandError: A connection option was combined with ``--sandbox``.
    """
    env = os.environ if environ is None else environ
    overrides = _overrides(args)
    if not args.sandbox:
        config = ClientConfig.from_env(
            env, allow_custom_host=args.allow_custom_host, **overrides
        )
        client = BackMarketClient(config=config)
        with client:
            yield Session(client, sandbox=False)
        return

    conflicts: list[str] = [
        name
        for name in ("token", "base_url", "platform", "environment")
        if name in overrides
    ]
    if args.allow_custom_host:
        conflicts.append("allow_custom_host")
    if conflicts:
        option = "--" + conflicts[0].replace("_", "-")
        raise CommandError(
            f"{option} cannot be combined with --sandbox, which serves its "
            f"own API on 127.0.0.1. Drop {option} or --sandbox.",
            exit_code=2,
        )

    # Imported here: only --sandbox needs the emulator.
    from backmarket_sdk.sandbox import Sandbox

    sandbox = Sandbox(
        task_start_after=SANDBOX_TASK_START, task_duration=SANDBOX_TASK_DURATION
    )
    with sandbox.serve("127.0.0.1", 0) as server:
        client = BackMarketClient(
            token=sandbox.token,
            market=overrides.get("market") or env.get("BACKMARKET_MARKET", "fr-fr"),
            base_url=server.url,
            user_agent=_sandbox_user_agent(overrides, env),
        )
        with client:
            yield Session(client, sandbox=True)
