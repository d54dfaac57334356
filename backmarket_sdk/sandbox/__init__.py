"""A stateful local emulator of the Back Market seller API.

``Sandbox`` keeps seeded orders and listings and serves the seller API's
routes, limits and faults over a loopback HTTP server (``serve``) or an
in-process httpx transport (``transport``), for tests, demos and examples.
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
