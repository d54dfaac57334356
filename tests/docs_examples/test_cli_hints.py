"""Hints the ``backmarket`` command prints under an SDK error."""

from __future__ import annotations

from backmarket_sdk import BackMarketClient
from backmarket_sdk.cli.main import EXIT_FAILED, describe_error
from backmarket_sdk.errors import TaskTimeoutError
from backmarket_sdk.sandbox import Sandbox


def test_task_timeout_hint_names_task() -> None:
    sandbox = Sandbox(seed=3, orders=0)
    with (
        sandbox.serve() as server,
        BackMarketClient(
            token=sandbox.token,
            base_url=server.url,
            user_agent="BM-Acme-Tests;dev@acme.example",
        ) as client,
    ):
        [task_id] = client.listings.import_catalog(
            [{"sku": sandbox.skus[0], "quantity": 3}]
        )
        try:
            client.tasks.wait(task_id, timeout=0)
        except TaskTimeoutError as error:
            message, status = describe_error(error)
        else:
            raise AssertionError("the task finished before a zero timeout")
    assert status == EXIT_FAILED
    assert message.endswith(f"backmarket tasks wait {task_id}")
    assert "TASK_ID" not in message
