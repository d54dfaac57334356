"""The spec checks used by the scenarios reject what the spec rejects."""

from __future__ import annotations

import json

import pytest

from tests.sdk_extra.spec_validation import Exchange, SpecValidator

ORDER = "/ws/buyback/v1/orders/FR-1-ABCDE"


def exchange(**fields: object) -> Exchange:
    values: dict[str, object] = {
        "method": "GET",
        "path": "/ws/shipping/v1/returns/7",
        "status": 200,
        "content_type": "application/json",
        "body": b"{}",
    }
    values.update(fields)
    return Exchange(**values)  # type: ignore[arg-type]


def test_validator_matches_fixed_paths(spec_validator: SpecValidator) -> None:
    assert spec_validator.operation("POST", "/ws/sav/refund") == "/ws/sav/refund"
    assert spec_validator.operation("GET", "/ws/sav/12") == "/ws/sav/{careFolderId}"
    reasons = spec_validator.operation("GET", "/ws/buyback/v1/orders/suspend-reasons")
    assert reasons == "/ws/buyback/v1/orders/suspend-reasons"


def test_validator_rejects_missing_fields(spec_validator: SpecValidator) -> None:
    with pytest.raises(AssertionError, match="required"):
        spec_validator.validate(exchange(body=json.dumps({"orderId": 1}).encode()))


def test_validator_rejects_undeclared_success(spec_validator: SpecValidator) -> None:
    with pytest.raises(AssertionError, match="does not declare"):
        spec_validator.validate(exchange(status=201))


def test_validator_rejects_bad_request_body(spec_validator: SpecValidator) -> None:
    bad = exchange(
        method="PUT",
        path=ORDER + "/suspend",
        request_type="application/json",
        request_body=json.dumps({"reasons": "broken_device"}).encode(),
    )
    with pytest.raises(AssertionError, match="is not of type 'array'"):
        spec_validator.validate_request(bad)


def test_validator_rejects_undeclared_query(spec_validator: SpecValidator) -> None:
    with pytest.raises(AssertionError, match="undeclared query"):
        spec_validator.validate_request(
            exchange(path="/ws/sav", query=("page", "page-size"))
        )


def test_validator_rejects_unknown_form_field(spec_validator: SpecValidator) -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--B--\r\n'
    with pytest.raises(AssertionError, match="form fields"):
        spec_validator.validate_request(
            exchange(
                method="POST",
                path="/ws/sav/100300165/msg",
                request_type="multipart/form-data; boundary=B",
                request_body=body,
            )
        )
