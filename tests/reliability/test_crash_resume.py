"""The sync process killed with SIGKILL at many seeded points, then rerun.

Kill points are exact, not timed: either the sandbox kills the sync when it
receives the run's k-th API request (before handling it, or after applying
it so that only the response is lost), or the run kills itself at its k-th
SQLite commit (before or after the commit). Kills come in pairs, as in a
crash loop; after each pair the sync runs again to the end, and the store
is checked against the sandbox: no order lost or stored twice, no shipment
sent twice, every unit of stock taken once, no quantity pushed below zero.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backmarket_sdk.sandbox import RateLimits, Sandbox
from backmarket_sdk.sandbox.messages import SandboxRequest, SandboxResponse, error_v1
from tests.reliability import checks
from tests.reliability.shop import CONNECTION_ID, Shop, settings_table

pytestmark = pytest.mark.skipif(os.name == "nt", reason="needs fork and SIGKILL")

SEED = 20260302
POINTS = 10


class RequestKiller:
    """Wraps a sandbox's handler to SIGKILL the sync at its k-th API request."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._handle: Callable[[SandboxRequest], SandboxResponse] = sandbox.handle
        sandbox.handle = self.handle  # type: ignore[method-assign]
        self._lock = threading.Lock()
        self._pid_known = threading.Event()
        self.pid = 0
        self.count = 0
        self.target = 0
        self.after = False

    def arm(self, target: int, after: bool) -> None:
        with self._lock:
            self.count, self.target, self.after = 0, target, after
            self._pid_known.clear()

    def started(self, pid: int) -> None:
        self.pid = pid
        self._pid_known.set()

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.path.startswith("/_sandbox"):
            return self._handle(request)
        with self._lock:
            self.count += 1
            hit = self.count == self.target
        if not hit:
            return self._handle(request)
        self._pid_known.wait(10)
        if not self.after:
            os.kill(self.pid, signal.SIGKILL)
            return error_v1(503, "killed", "the client was killed before this")
        response = self._handle(request)
        os.kill(self.pid, signal.SIGKILL)
        return response


class Worker:
    """The forking sync runner of ``crash_worker``."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str], on_start: Callable[[int], None], **kill: Any) -> int:
        """Run one sync; return its waitpid status."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"argv": argv, **kill}) + "\n")
        self.process.stdin.flush()
        on_start(json.loads(self.process.stdout.readline())["pid"])
        return int(json.loads(self.process.stdout.readline())["status"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def worker() -> Iterator[Worker]:
    worker = Worker()
    yield worker
    worker.close()


def _write_config(shop: Shop, url: str) -> Path:
    token_file = shop.folder / "token"
    token_file.write_text(shop.token, encoding="utf-8")
    config = shop.folder / "commercium.toml"
    settings = settings_table()
    config.write_text(
        f"""[store]
path = "{shop.store_path.as_posix()}"

[[connections]]
id = "{CONNECTION_ID}"
channel = "backmarket"
token_file = "{token_file.as_posix()}"

[connections.options]
base_url = "{url}"

[connections.settings]
market = "{settings["market"]}"
user_agent = "{settings["user_agent"]}"
task_poll_interval = 0.02

[connections.settings.shipments.mappings]
colissimo = "Colissimo"
""",
        encoding="utf-8",
    )
    return config


def _mutate(shop: Shop, rng: random.Random, point: int) -> None:
    """Customers order, the warehouse ships, the seller edits the catalog."""
    for _ in range(rng.randint(1, 3)):
        shop.sandbox.place_order(f"REL-{rng.randrange(6):02d}", rng.randint(1, 2))
    with shop.reopened():
        shop.ship_accepted(rng.randint(0, 2), f"{point:03d}")
        if rng.random() < 0.5:
            shop.set_host_values(0)  # prices +0: rewrites with no change
            rows = shop.catalog_rows()[:6]
            for row in rows:
                row["quantity"] = str(shop.stock()[row["sku"]])
                row["price"] = f"{100 + rng.randrange(50)}.{rng.randrange(100):02d}"
            shop.import_products(rows)
        if rng.random() < 0.4:
            shop.add_product()


def _check(shop: Shop) -> list[str]:
    with shop.reopened():
        problems = [p for p in checks.store_integrity(shop) if "running" not in p]
        problems += checks.converged(shop)
        problems += checks.stock_accounted(shop)
    requests = shop.sandbox.requests
    twice = {k: n for k, n in checks.ship_calls(requests).items() if n > 1}
    if twice:
        problems.append(f"shipments sent more than once: {twice}")
    problems += checks.negative_pushes(requests)
    return problems


def test_killed_at_seeded_points(tmp_path: Path, worker: Worker) -> None:
    shop = Shop(
        tmp_path,
        limits=RateLimits.unlimited(),
        freeze_clock=False,
        task_start_after=0.0,
        task_duration=0.01,
    )
    shop.store.close()
    killer = RequestKiller(shop.sandbox)
    rng = random.Random(SEED)
    killed = completed = 0
    problems: list[str] = []
    places: list[str] = []
    with shop.sandbox.serve() as server:
        argv = ["-q", "sync", "--config", str(_write_config(shop, server.url))]
        # A first, complete run: the shop starts in sync.
        assert worker.run(argv, killer.started) == 0
        for point in range(POINTS):
            _mutate(shop, rng, point)
            requests_before = len(shop.sandbox.requests)
            if point % 2 == 0:
                after = rng.random() < 0.6
                killer.arm(rng.randint(1, 14), after)
                status = worker.run(argv, killer.started)
                where = f"request {killer.target} ({'after' if after else 'before'})"
            else:
                killer.arm(0, False)
                commit, after = rng.randint(1, 30), rng.random() < 0.5
                status = worker.run(argv, killer.started, commit=commit, after=after)
                where = f"commit {commit} ({'after' if after else 'before'})"
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
                killed += 1
            else:
                completed += 1
            killer.arm(0, False)
            sent = len(shop.sandbox.requests) - requests_before
            assert sent > 0
            places.append(where)
            if point % 2 == 0:
                continue  # two kills in a row, as in a crash loop, then a rerun
            rerun = worker.run(argv, killer.started)
            label = f"points {point - 1}-{point} at {', '.join(places)}"
            places = []
            if rerun != 0:
                problems.append(f"{label}: rerun status {rerun}")
            problems += [f"{label}: {p}" for p in _check(shop)]
    print(
        f"crash-resume: {POINTS} seeded points tried, {killed} killed mid-run, "
        f"{completed} ran past their point"
    )
    assert problems == []
    assert killed >= POINTS * 3 // 4
