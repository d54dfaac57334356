from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from commercium_connector.backmarket.identifiers import ProductIdentifier
from commercium_connector.backmarket.settings import parse_settings
from commercium_connector.errors import SettingsError
from tests.connector.conftest import USER_AGENT


def problems_of(table: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        parse_settings(table)
    return {problem.key: problem.message for problem in caught.value.problems}


def test_settings_defaults() -> None:
    settings = parse_settings({"market": "fr-fr", "user_agent": USER_AGENT})
    assert settings.name == "Back Market fr-fr"
    assert settings.currency == "EUR"
    assert settings.environment == "production"
    assert settings.product_identifier == ProductIdentifier(kind="sku")
    assert settings.hourly_sku_budget == 2000
    assert settings.orders.enabled is True
    assert settings.orders.skip_unpaid is True
    assert settings.orders.number_format == "{order_id}"
    assert settings.orders.import_start is None
    assert settings.shipments.mappings == {}
    assert settings.shipments.fallback is None
    assert settings.inventory.safety_stock == 0
    assert settings.prices.csv_threshold == 50
    assert settings.products.default_inventory == 0


def test_settings_full_table() -> None:
    settings = parse_settings(
        {
            "name": "Acme UK",
            "market": "EN-GB",
            "user_agent": USER_AGENT,
            "environment": "preprod",
            "product_identifier": "field:mpn",
            "hourly_sku_budget": "500",
            "orders": {
                "enabled": "on",
                "notify_unlinked": False,
                "skip_unpaid": "false",
                "number_format": "{order_id}-{country_code}",
                "number_prefix": "BM-",
                "number_suffix": "-X",
                "notes_format": "Back Market {market} order {order_id}",
                "import_start": "2026-01-05T10:00:00+01:00",
                "overlap_minutes": 30,
            },
            "shipments": {
                "mappings": {"Royal Mail 24": "Royal Mail", "DPD Next Day": "DPD UK"},
                "fallback": "Other",
            },
            "inventory": {"safety_stock": 2},
            "prices": {"enabled": False, "csv_threshold": 10},
            "products": {"default_inventory": 5, "default_grade": "good"},
        }
    )
    assert settings.name == "Acme UK"
    assert settings.market == "en-gb"
    assert settings.currency == "GBP"
    assert settings.environment == "preprod"
    assert settings.product_identifier == ProductIdentifier(kind="field", field="mpn")
    assert settings.hourly_sku_budget == 500
    assert settings.orders.notify_unlinked is False
    assert settings.orders.skip_unpaid is False
    assert settings.orders.number_prefix == "BM-"
    assert settings.orders.import_start == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    assert settings.orders.overlap_minutes == 30
    assert settings.shipments.shipper_for("royal mail 24 ") == "Royal Mail"
    assert settings.shipments.shipper_for("Courier") == "Other"
    assert settings.inventory.safety_stock == 2
    assert settings.prices.enabled is False
    assert settings.prices.csv_threshold == 10
    assert settings.products.default_inventory == 5
    assert settings.products.default_grade == "GOOD"


def test_settings_naive_start_is_utc() -> None:
    settings = parse_settings(
        {
            "market": "fr-fr",
            "user_agent": USER_AGENT,
            "orders": {"import_start": datetime(2026, 1, 5, 9)},
        }
    )
    assert settings.orders.import_start == datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def test_settings_missing_required() -> None:
    problems = problems_of({})
    assert set(problems) == {"market", "user_agent"}
    assert "required" in problems["market"]


def test_settings_lists_every_problem() -> None:
    problems = problems_of(
        {
            "market": "fr-xx",
            "user_agent": "acme sync",
            "token": "secret-value",
            "colour": "blue",
            "product_identifier": "ean13",
            "orders": {
                "enabled": "maybe",
                "number_format": "BM",
                "notes_format": "{customer}",
                "import_start": "yesterday",
                "overlap_minute": 5,
            },
            "shipments": {
                "mappings": {"Express": "colissimo", "Eco": "Pigeon Post"},
                "fallback": "Nobody",
            },
            "inventory": {"safety_stock": -1},
            "prices": {"csv_threshold": 0},
            "products": {"default_inventory": "many", "default_grade": "MINT"},
        }
    )
    assert "fr-fr" in problems["market"]
    assert "BM-{CompanyName}-{IntegrationName}" in problems["user_agent"]
    assert "credential 'token'" in problems["token"]
    assert "secret-value" not in problems["token"]
    assert "unknown setting" in problems["colour"]
    assert "field:<name>" in problems["product_identifier"]
    assert "true or false" in problems["orders.enabled"]
    assert "{order_id}" in problems["orders.number_format"]
    assert "{customer}" in problems["orders.notes_format"]
    assert "ISO 8601" in problems["orders.import_start"]
    assert "did you mean 'overlap_minutes'" in problems["orders.overlap_minute"]
    assert "did you mean 'Colissimo'" in problems["shipments.mappings"]
    assert "'Pigeon Post'" in problems["shipments.mappings"]
    assert "unknown shipper 'Nobody'" in problems["shipments.fallback"]
    assert "0 or more" in problems["inventory.safety_stock"]
    assert "1 or more" in problems["prices.csv_threshold"]
    assert "whole number" in problems["products.default_inventory"]
    assert "EXCELLENT" in problems["products.default_grade"]


def test_settings_error_text_names_keys() -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings({"market": "fr-fr", "user_agent": USER_AGENT, "orders": 3})
    assert "orders: must be a table" in str(caught.value)


def test_settings_template_attribute_rejected() -> None:
    problems = problems_of(
        {
            "market": "fr-fr",
            "user_agent": USER_AGENT,
            "orders": {"number_format": "{order_id.__class__}"},
        }
    )
    assert "invalid placeholder" in problems["orders.number_format"]


def test_settings_template_unbalanced_brace() -> None:
    problems = problems_of(
        {"market": "fr-fr", "user_agent": USER_AGENT, "orders": {"notes_format": "{"}}
    )
    assert "literal brace" in problems["orders.notes_format"]


def test_settings_mapping_case_duplicate() -> None:
    problems = problems_of(
        {
            "market": "fr-fr",
            "user_agent": USER_AGENT,
            "shipments": {"mappings": {"Express": "UPS", "EXPRESS": "DHL"}},
        }
    )
    assert "differ only in case" in problems["shipments.mappings"]


def test_settings_shipper_without_fallback() -> None:
    settings = parse_settings(
        {
            "market": "fr-fr",
            "user_agent": USER_AGENT,
            "shipments": {"mappings": {"Express": "UPS"}},
        }
    )
    assert settings.shipments.shipper_for("EXPRESS") == "UPS"
    assert settings.shipments.shipper_for("Letter") is None
