"""A stateful local emulator of the Back Market seller API.

``Sandbox`` keeps seeded orders and listings and serves the seller API's
routes, limits and faults over a loopback HTTP server (``serve``) or an
in-process httpx transport (``transport``), for tests, demos and examples.

Example::

    from datetime import datetime, timezone

    import httpx

    from backmarket_sdk.sandbox import Sandbox

    start = datetime(2026, 1, 5, tzinfo=timezone.utc)
    sandbox = Sandbox(seed=42, orders=40, start=start)
    with sandbox.serve() as server:
        headers = {
            "Authorization": f"Basic {sandbox.token}",
            "User-Agent": "BM-Acme-Demo;dev@example.com",
            "Accept-Language": "fr-fr",
        }
        orders = httpx.get(f"{server.url}/ws/orders", headers=headers).json()
        order_id = sandbox.place_order(sandbox.skus[0])
        sandbox.set_fault("/ws/orders*", "503", count=1)
        sandbox.advance(10)

The same server answers a control API under ``/_sandbox/`` (see
``control_api``), and ``python -m backmarket_sdk.sandbox --port 0`` serves
one from the command line.
"""

from __future__ import annotations

from .clock import SandboxClock
from .limits import RateLimits
from .records import ListingSeed, ProductSeed
from .request_log import LoggedRequest
from .sandbox import DEFAULT_TOKEN, Sandbox
from .server import SandboxServer
from .transport import SandboxTransport

__all__ = [
    "DEFAULT_TOKEN",
    "ListingSeed",
    "LoggedRequest",
    "ProductSeed",
    "RateLimits",
    "Sandbox",
    "SandboxClock",
    "SandboxServer",
    "SandboxTransport",
]
