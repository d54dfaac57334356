"""SDK errors survive pickle and deepcopy, as errors raised in worker processes must."""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from backmarket_sdk import errors
from backmarket_sdk._operation_limits import OperationLimitError

ERRORS = [
    errors.NotFoundError(
        "Order not found",
        status=404,
        method="GET",
        url="https://127.0.0.1:9/ws/orders/7",
        code="E404",
        request_id="req-7",
        cf_ray="8a1b-CDG",
        body={"error": {"code": "E404"}},
    ),
    errors.APIConnectionError("Connection failed", method="POST", url="/ws/x"),
    errors.TaskTimeoutError("task 12 still running", task={"id": 12}),
    OperationLimitError("budget spent", operation="care.refund", retry_after=60.0),
    errors.ConfigurationError("Invalid market 'xx-xx'"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_error_pickles(error: errors.BackMarketError) -> None:
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert str(restored) == str(error)
    assert vars(restored) == vars(error)


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_error_deepcopies(error: errors.BackMarketError) -> None:
    copied = copy.deepcopy(error)
    assert str(copied) == str(error)
    assert vars(copied) == vars(error)


def _raise_not_found() -> None:
    raise ERRORS[0]


def test_error_crosses_processes() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_not_found)
        with pytest.raises(errors.NotFoundError) as caught:
            future.result()
    assert caught.value.status == 404
    assert caught.value.request_id == "req-7"
