"""The first example of the async guide runs as printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from backmarket_sdk.models import OrderLineState, OrderState
from backmarket_sdk.sandbox import Sandbox

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "async.md"


def test_async_guide_accepts_paid_lines() -> None:
    source = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    sandbox = Sandbox(seed=42)
    paid_lines = [
        (order_id, line["id"])
        for order_id in sandbox.store.orders
        if sandbox.order(order_id)["state"] == OrderState.PAID
        for line in sandbox.order(order_id)["orderlines"]
        if line["state"] == OrderLineState.PAID
    ]
    environment = {
        key: value for key, value in os.environ.items() if "BACKMARKET" not in key
    }
    with sandbox.serve() as server:
        environment |= {
            "BACKMARKET_TOKEN": sandbox.token,
            "BACKMARKET_MARKET": "fr-fr",
            "BACKMARKET_BASE_URL": server.url,
            "BACKMARKET_USER_AGENT": "BM-Acme-Tests;dev@acme.example",
        }
        completed = subprocess.run(
            [sys.executable, "-c", source[0]],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr
    assert paid_lines
    for order_id, line_id in paid_lines:
        states = {
            line["id"]: line["state"] for line in sandbox.order(order_id)["orderlines"]
        }
        assert states[line_id] == OrderLineState.ACCEPTED
