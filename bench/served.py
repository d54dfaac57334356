"""Serve a seeded sandbox from a child process, for the benchmarks.

The sandbox runs in its own interpreter so that its request handling does
not share the measured client's GIL. Its options come as one JSON argument.
The child prints the base URL, then the legacy ids of its listings, and
serves until its stdin closes::

    python -m bench.served '{"listing_count": 2000, "latency": 0.02}'

Options: every ``Sandbox`` keyword argument that JSON can carry, plus
``limits`` (a mapping of ``RateLimits`` fields, or null for none) and
``latency`` (seconds added to every API response, with the ``slow`` fault).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import attrs

from backmarket_sdk.sandbox import RateLimits, Sandbox
from backmarket_sdk.sandbox.sandbox import DEFAULT_TOKEN

TOKEN = DEFAULT_TOKEN
USER_AGENT = "BM-Acme-Bench;ops@acme.example"
START = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)


@attrs.frozen
class Served:
    """A running sandbox child: its URL and the legacy ids of its listings."""

    url: str
    listing_ids: list[int]


@contextmanager
def served_sandbox(**options: Any) -> Iterator[Served]:
    """Start a sandbox child with ``options`` and yield where it listens."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.served", json.dumps(options)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url:
            raise RuntimeError("the sandbox child exited before serving")
        ids = json.loads(child.stdout.readline())
        yield Served(url, ids)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def _build(options: dict[str, Any]) -> Sandbox:
    limits = options.pop("limits", {})
    latency = float(options.pop("latency", 0.0))
    sandbox = Sandbox(
        start=START,
        limits=RateLimits.unlimited() if limits is None else RateLimits(**limits),
        slow_seconds=latency,
        **options,
    )
    if latency > 0:
        sandbox.set_fault("/ws/*", "slow")
    return sandbox


def main() -> None:
    sandbox = _build(json.loads(sys.argv[1]))
    ids = [listing.listing_id for listing in sandbox.store.listings]
    with sandbox.serve() as server:
        print(server.url, flush=True)
        print(json.dumps(ids), flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main()
