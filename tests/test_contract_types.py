import pluggy

from commercium_connector import hookspecs


def test_hookspecs_register_with_pluggy() -> None:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    names = {name for name in dir(manager.hook) if name.startswith("commercium_")}
    assert names == {
        "commercium_channels",
        "commercium_check_connection",
        "commercium_pull_orders",
        "commercium_push_shipments",
        "commercium_push_inventory",
        "commercium_push_prices",
        "commercium_push_products",
    }
