from __future__ import annotations

from datetime import timedelta

import pluggy
import pytest

import commercium_connector.hookspecs
from backmarket_sdk.sandbox import Sandbox
from commercium_connector.backmarket import plugin
from commercium_connector.backmarket.settings import BackMarketSettings, parse_settings
from commercium_connector.errors import ChannelUnavailableError, SettingsError
from commercium_connector.types import ItemStatus, Shipment, StockLevel
from tests.connector.conftest import (
    LISTINGS,
    START,
    USER_AGENT,
    api_writes,
    make_connection,
    make_settings,
    product,
    sandbox_connection,
)

ALL_PRODUCTS = [product(seed.sku) for seed in LISTINGS]


def test_entry_point_discovered() -> None:
    manager = pluggy.PluginManager("commercium")
    manager.add_hookspecs(commercium_connector.hookspecs)
    loaded = manager.load_setuptools_entrypoints("commercium.connectors")
    assert loaded >= 1
    manager.check_pending()
    assert manager.get_plugin("backmarket") is plugin
    channels = [info for infos in manager.hook.commercium_channels() for info in infos]
    backmarket = next(info for info in channels if info.name == "backmarket")
    assert backmarket.settings_type is BackMarketSettings
    assert backmarket.parse_settings is parse_settings
    assert backmarket.capabilities == {
        "orders",
        "shipments",
        "inventory",
        "prices",
        "products",
    }


def test_hooks_through_manager(sandbox: Sandbox) -> None:
    manager = pluggy.PluginManager("commercium")
    manager.add_hookspecs(commercium_connector.hookspecs)
    manager.load_setuptools_entrypoints("commercium.connectors")
    order_id = sandbox.place_order("IPHONE-13-BLUE", state=1)
    connection = sandbox_connection(sandbox)
    batch = manager.hook.commercium_pull_orders(
        connection=connection, since=None, products=ALL_PRODUCTS, dry_run=False
    )
    assert [order.external_id for order in batch.orders] == [str(order_id)]
    check = manager.hook.commercium_check_connection(connection=connection)
    assert check.ok is True


def test_other_channel_returns_none() -> None:
    connection = make_connection(channel="shopify")
    assert plugin.commercium_check_connection(connection=connection) is None
    assert (
        plugin.commercium_pull_orders(
            connection=connection, since=None, products=[], dry_run=False
        )
        is None
    )
    for hook, name in (
        (plugin.commercium_push_shipments, "shipments"),
        (plugin.commercium_push_inventory, "levels"),
        (plugin.commercium_push_prices, "prices"),
        (plugin.commercium_push_products, "products"),
    ):
        assert hook(connection=connection, dry_run=False, **{name: []}) is None


def test_settings_mapping_accepted(sandbox: Sandbox) -> None:
    table = {"market": "fr-fr", "user_agent": USER_AGENT}
    connection = sandbox_connection(sandbox, table)
    check = plugin.commercium_check_connection(connection=connection)
    assert check is not None
    assert check.ok is True


def test_invalid_settings_raise() -> None:
    connection = make_connection({"market": "xx"})
    with pytest.raises(SettingsError) as caught:
        plugin.commercium_push_inventory(
            connection=connection,
            levels=[StockLevel(product("A"), 1)],
            dry_run=False,
        )
    assert {problem.key for problem in caught.value.problems} == {
        "market",
        "user_agent",
    }


def test_bad_token_one_error(sandbox: Sandbox) -> None:
    connection = sandbox_connection(sandbox, token="wrong-token")
    with pytest.raises(ChannelUnavailableError) as caught:
        plugin.commercium_pull_orders(
            connection=connection, since=None, products=[], dry_run=False
        )
    assert caught.value.retryable is False
    assert "rejected the token" in str(caught.value)
    assert "wrong-token" not in str(caught.value)


def test_bad_token_check_reports(sandbox: Sandbox) -> None:
    connection = sandbox_connection(sandbox, token="wrong-token")
    check = plugin.commercium_check_connection(connection=connection)
    assert check is not None
    assert check.ok is False
    assert "token" in check.message
    assert "wrong-token" not in check.message


def test_missing_token_one_error() -> None:
    connection = make_connection(token=" ")
    with pytest.raises(ChannelUnavailableError, match="no Back Market token"):
        plugin.commercium_push_shipments(
            connection=connection,
            shipments=[
                Shipment(
                    order_external_id="1",
                    order_number="SO-1",
                    shipping_method="Colissimo Home",
                    tracking_number="X1",
                )
            ],
            dry_run=False,
        )


def test_dead_api_one_error(sandbox: Sandbox) -> None:
    sandbox.set_fault("/ws/*", "503")
    connection = sandbox_connection(sandbox)
    with pytest.raises(ChannelUnavailableError) as caught:
        plugin.commercium_push_inventory(
            connection=connection,
            levels=[StockLevel(product("IPHONE-13-BLUE"), 1)],
            dry_run=False,
        )
    assert caught.value.retryable is True
    assert "server error" in str(caught.value)


def test_waf_block_one_error(sandbox: Sandbox) -> None:
    sandbox.set_fault("/ws/*", "waf_html")
    connection = sandbox_connection(sandbox)
    with pytest.raises(ChannelUnavailableError, match="firewall"):
        plugin.commercium_pull_orders(
            connection=connection, since=None, products=[], dry_run=False
        )


def test_full_cycle_over_loopback(sandbox: Sandbox) -> None:
    paid = sandbox.place_order("PIXEL-7-BLACK", state=1)
    with sandbox.serve(host="127.0.0.1", port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        connection = sandbox_connection(
            sandbox, make_settings(inventory={"safety_stock": 1}), base_url=server.url
        )
        check = plugin.commercium_check_connection(connection=connection)
        assert check is not None
        assert check.ok is True
        batch = plugin.commercium_pull_orders(
            connection=connection, since=None, products=ALL_PRODUCTS, dry_run=False
        )
        assert batch is not None
        assert batch.orders[0].external_id == str(paid)
        shipped = plugin.commercium_push_shipments(
            connection=connection,
            shipments=[
                Shipment(
                    order_external_id=str(paid),
                    order_number=batch.orders[0].number,
                    shipping_method="UPS Express",
                    tracking_number="1Z 999",
                    shipped_at=START + timedelta(hours=1),
                )
            ],
            dry_run=False,
        )
        assert shipped is not None
        assert shipped[0].status is ItemStatus.DONE
        levels = plugin.commercium_push_inventory(
            connection=connection,
            levels=[StockLevel(product("GALAXY-S22"), 9)],
            dry_run=False,
        )
        assert levels is not None
        assert levels[0].details["quantity"] == "8"
    assert sandbox.order(paid)["state"] == 9
    assert sandbox.listing("GALAXY-S22")["quantity"] == 8
    assert len(api_writes(sandbox)) == 3
    for entry in sandbox.requests:
        assert entry.headers.get("user-agent") == USER_AGENT
        assert entry.headers.get("accept-language") == "fr-fr"
        assert "authorization" not in {name.lower() for name in entry.headers}


def test_push_logs_summary(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    connection = sandbox_connection(sandbox)
    with caplog.at_level("INFO", logger="commercium_connector.backmarket"):
        plugin.commercium_push_inventory(
            connection=connection,
            levels=[
                StockLevel(product("IPHONE-13-BLUE"), 2),
                StockLevel(product("PIXEL-7-BLACK"), 5),
            ],
            dry_run=False,
        )
    assert "connection bm-fr: inventory: done=1 skipped=1" in caplog.text
    assert sandbox.token not in caplog.text
