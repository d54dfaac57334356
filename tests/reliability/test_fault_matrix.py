"""Every sync step against every fault the sandbox can throw.

For each step and fault kind the step runs alone with the fault on every
API route, then the fault is cleared and full cycles run. Each case checks
that the faulted step ends with a clear outcome, that no single call was
sent more often than the retry policy allows, that the store lost and
broke nothing, and that the clean cycles bring the store to the sandbox's
truth with no shipment sent twice and no quantity pushed below zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from backmarket_sdk.sandbox import RateLimits
from backmarket_sdk.sandbox.request_log import LoggedRequest
from commercium_connector.host.sync import STEPS, CycleReport
from tests.reliability import checks
from tests.reliability.shop import Shop

# Attempts per call: the first one and the SDK's default of 3 retries.
MAX_ATTEMPTS = 4
CLEAN_CYCLES = 1
# (kind, count): count None keeps the fault on for the whole faulted step.
FAULTS: tuple[tuple[str, int | None], ...] = (
    ("429", 3),  # a burst the retries ride out
    ("429", None),
    ("500", None),
    ("502", None),
    ("503", None),
    ("503", 1),
    ("504", None),
    ("slow", None),
    ("timeout", None),
    ("timeout", 1),
    ("reset", None),
    ("reset", 1),
    ("waf_html", None),
    ("bot_challenge", None),
    ("malformed_json", None),
    ("malformed_json", 1),
    ("truncated_json", None),
    ("401", None),  # the seller changed the token in the Back Office
)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    # Scaled-down limits: a cycle meets them, and the sandbox clock, moved by
    # every wait of the client, makes the 10 s blocks cost nothing.
    shop = Shop(tmp_path, limits=RateLimits().scaled(0.5), slow_seconds=0.01)
    shop.cycle()
    shop.cycle()
    assert checks.converged(shop) == []
    yield shop
    shop.close()


def _prepare(shop: Shop, step: str, case: int) -> None:
    """Give the step something to do."""
    if step == "orders":
        shop.place_orders(2)
    elif step == "shipments":
        shop.place_orders(2)
        shop.cycle(["orders"])
        assert shop.ship_accepted(2, f"{case:02d}") > 0
    elif step in ("inventory", "prices"):
        shop.set_host_values(1 if case % 2 else -1)
    elif step == "products":
        shop.add_product()


def _attempts_ok(requests: list[LoggedRequest]) -> list[str]:
    """No call went out more often than its retries allow.

    Task polls are separate calls that repeat by design; they are bounded by
    the task timeout instead.
    """
    keys = Counter(
        (r.method, r.path, tuple(sorted(r.query.items())), repr(r.body))
        for r in requests
        if not r.path.startswith("/ws/tasks/")
    )
    over = [f"{k[0]} {k[1]} x{n}" for k, n in keys.items() if n > MAX_ATTEMPTS]
    polls = sum(1 for r in requests if r.path.startswith("/ws/tasks/"))
    if polls > 900 * MAX_ATTEMPTS:
        over.append(f"{polls} task polls")
    return over


def _clear_outcome(report: CycleReport, step: str) -> list[str]:
    problems = []
    [outcome] = [s for s in report.steps if s.step == step]
    if outcome.outcome not in ("ok", "failed"):
        problems.append(f"outcome {outcome.outcome!r}")
    if outcome.outcome == "failed" and "Back Market" not in outcome.message:
        problems.append(f"failure message does not name the cause: {outcome.message}")
    for result in outcome.results:
        if result.status.value in ("failed", "deferred") and not result.message:
            problems.append(f"{result.key}: {result.status.value} without a message")
    return problems


def _run_matrix(shop: Shop, step: str) -> int:
    problems: list[str] = []
    all_requests: list[LoggedRequest] = []
    for case, (kind, count) in enumerate(FAULTS):
        label = f"{step} x {kind}/{count or 'on'}"
        _prepare(shop, step, case)
        all_requests += shop.sandbox.requests
        shop.sandbox.clear_requests()
        before = checks.snapshot(shop)
        if kind == "401":
            shop.sandbox.token = f"rotated-token-{case:04d}-abcdef"
        else:
            shop.sandbox.set_fault("/ws/*", kind, count)
        report = shop.cycle([step])
        shop.sandbox.clear_faults()
        faulted = shop.sandbox.requests
        found = _clear_outcome(report, step)
        if kind != "401" and not any(r.fault == kind for r in faulted):
            found.append("the fault never hit a request")
        if count is not None and report.failed:
            # A short burst is within the retries: the step must ride it out.
            found.append(f"transient fault failed the step: {report.failed[0].message}")
        found += _attempts_ok(faulted)
        found += checks.store_integrity(shop)
        found += checks.nothing_lost(before, checks.snapshot(shop))
        found += checks.stock_accounted(shop)
        if kind == "401":
            [outcome] = report.steps
            assert outcome.outcome == "failed", label
            assert "401" in outcome.message, label
            shop.token = shop.sandbox.token
            shop.connection = shop.connect(shop.token)
        for _ in range(CLEAN_CYCLES):
            clean = shop.cycle()
            if clean.failed:
                found.append(f"clean cycle failed: {clean.failed[0].message}")
        found += checks.converged(shop)
        found += checks.stock_accounted(shop)
        problems += [f"{label}: {p}" for p in found]
    all_requests += shop.sandbox.requests
    twice = {k: n for k, n in checks.ship_calls(all_requests).items() if n > 1}
    if twice:
        problems.append(f"{step}: shipments sent more than once: {twice}")
    problems += checks.negative_pushes(all_requests)
    print(f"fault matrix, {step}: {len(FAULTS)} cases tried")
    assert problems == []
    return len(FAULTS)


@pytest.mark.parametrize("step", STEPS)
def test_faults(shop: Shop, step: str) -> None:
    _run_matrix(shop, step)


def test_matrix_covers_sandbox_faults() -> None:
    from backmarket_sdk.sandbox.faults import FAULT_KINDS

    tried = {kind for kind, _ in FAULTS}
    print(f"fault kinds: {len(FAULT_KINDS)} in the sandbox, {len(tried)} tried")
    assert tried >= FAULT_KINDS


@pytest.mark.parametrize("step", ["orders", "inventory", "shipments"])
def test_slow_past_timeout(tmp_path: Path, step: str) -> None:
    """Responses later than the client's timeout, over real HTTP."""
    shop = Shop(tmp_path, slow_seconds=0.4)
    with shop.sandbox.serve() as server:
        shop.connection = shop.connect(
            shop.token, transport=None, base_url=server.url, timeout=0.1
        )
        shop.cycle()
        _prepare(shop, step, 0)
        shop.sandbox.clear_requests()
        shop.sandbox.set_fault("/ws/*", "slow")
        report = shop.cycle([step])
        shop.sandbox.clear_faults()
        faulted = shop.sandbox.requests
        problems = _clear_outcome(report, step) + _attempts_ok(faulted)
        [outcome] = report.steps
        assert outcome.outcome == "failed", outcome
        assert "timed out" in outcome.message.lower(), outcome.message
        clean = shop.cycle()
        assert not clean.failed, clean.failed[0].message
        problems += checks.converged(shop) + checks.stock_accounted(shop)
    shop.close()
    print(f"slow past the timeout, {step}: {len(faulted)} requests, 1 case tried")
    assert problems == []
