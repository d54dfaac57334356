"""Client set-up shared by the examples: a sandbox, or a real account on request.

Every example runs against a local sandbox served on 127.0.0.1, so it works
without a Back Market account. Set BACKMARKET_TOKEN and BACKMARKET_MARKET
(and BACKMARKET_USER_AGENT, which Back Market requires) to run it against
your own account instead.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from backmarket_sdk import AsyncBackMarketClient, BackMarketClient
from backmarket_sdk.sandbox import Sandbox

# Back Market requires a user agent of the form
# BM-{CompanyName}-{IntegrationName};{contact email}; this one is for the sandbox.
SANDBOX_USER_AGENT = "BM-Example-Scripts;dev@example.com"


def uses_real_account() -> bool:
    """Return True when the environment names a real account to work with."""
    return bool(
        os.environ.get("BACKMARKET_TOKEN") and os.environ.get("BACKMARKET_MARKET")
    )


def new_sandbox() -> Sandbox:
    """Create a sandbox whose catalog tasks finish within about a second."""
    return Sandbox(seed=42, task_start_after=0.2, task_duration=1.0)


@contextmanager
def open_client() -> Iterator[BackMarketClient]:
    """Yield a client of the real account, or of a sandbox on 127.0.0.1."""
    if uses_real_account():
        with BackMarketClient.from_env() as client:
            yield client
        return
    with new_sandbox().serve("127.0.0.1", 0) as server:
        sandbox = server.sandbox
        with BackMarketClient(
            token=sandbox.token,
            market="fr-fr",
            base_url=server.url,
            user_agent=SANDBOX_USER_AGENT,
        ) as client:
            yield client


@asynccontextmanager
async def open_async_client() -> AsyncIterator[AsyncBackMarketClient]:
    """Yield an async client of the real account, or of a sandbox on 127.0.0.1."""
    if uses_real_account():
        async with AsyncBackMarketClient.from_env() as client:
            yield client
        return
    with new_sandbox().serve("127.0.0.1", 0) as server:
        sandbox = server.sandbox
        async with AsyncBackMarketClient(
            token=sandbox.token,
            market="fr-fr",
            base_url=server.url,
            user_agent=SANDBOX_USER_AGENT,
        ) as client:
            yield client
