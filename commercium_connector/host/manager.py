"""A typed facade over the pluggy PluginManager of the channel plugins.

The rest of the host calls these methods and never ``pm.hook`` directly, so
each hook's arguments and result are checked in one place.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import attrs
import pluggy

from commercium_connector import hookspecs
from commercium_connector.types import (
    ChannelInfo,
    Connection,
    ConnectionCheck,
    ItemResult,
    OrderBatch,
    PriceUpdate,
    Product,
    Shipment,
    StockLevel,
)

logger = logging.getLogger(__name__)

BLOCKED_PLUGINS_ENV = "COMMERCIUM_CONNECTOR_BLOCKED_PLUGINS"


class PluginError(Exception):
    """A plugin cannot be loaded, or does not serve a connection's channel."""


@attrs.frozen
class PluginInfo:
    """A loaded plugin as the `plugins` command lists it."""

    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    channels: tuple[str, ...]


class PluginHost:
    """The host's plugin manager for the ``commercium`` project.

    Args:
        plugins: Plugin objects or modules to register by hand (tests, an
            embedding application).
        entry_points: Also load the plugins of the ``commercium.connectors``
            entry point group.
        blocked: Entry point names not to load, such as a broken plugin's.
            The ``COMMERCIUM_CONNECTOR_BLOCKED_PLUGINS`` environment variable
            (comma-separated names) adds to them.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        entry_points: bool = True,
        blocked: Iterable[str] = (),
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        for plugin in plugins:
            self.pm.register(plugin)
        from_env = os.environ.get(BLOCKED_PLUGINS_ENV, "").split(",")
        self.blocked = sorted({n.strip() for n in [*blocked, *from_env] if n.strip()})
        for name in self.blocked:
            self.pm.set_blocked(name)
        if entry_points:
            try:
                self.pm.load_setuptools_entrypoints(hookspecs.ENTRY_POINT_GROUP)
            except Exception as exc:
                raise PluginError(
                    f"a plugin of the {hookspecs.ENTRY_POINT_GROUP} entry point group "
                    f"failed to load: {type(exc).__name__}: {exc}"
                ) from exc
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {exc.plugin!r} is invalid: {exc}") from exc
        self._channels: dict[str, ChannelInfo] | None = None

    def channels(self) -> dict[str, ChannelInfo]:
        """Return every channel the loaded plugins provide, by name."""
        if self._channels is None:
            found: dict[str, ChannelInfo] = {}
            for answer in self.pm.hook.commercium_channels():
                for info in answer:
                    if info.name in found:
                        raise PluginError(
                            f"two plugins provide the channel {info.name!r}; "
                            "uninstall one of them"
                        )
                    found[info.name] = info
            self._channels = found
        return dict(self._channels)

    def plugin_infos(self) -> list[PluginInfo]:
        """Describe every registered plugin: distribution, version, hooks."""
        dists = {
            id(plugin): (dist.project_name, dist.version)
            for plugin, dist in self.pm.list_plugin_distinfo()
        }
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            callers = self.pm.get_hookcallers(plugin) or []
            hooks = tuple(sorted(caller.name for caller in callers))
            channels: tuple[str, ...] = ()
            if "commercium_channels" in hooks:
                answer = getattr(plugin, "commercium_channels")()  # noqa: B009
                channels = tuple(i.name for i in answer)
            distribution, version = dists.get(id(plugin), ("", ""))
            if channels and not version:
                version = self.channels()[channels[0]].version
            infos.append(PluginInfo(name, distribution, version, hooks, channels))
        return infos

    def _answer(self, hook: str, connection: Connection, answer: Any) -> Any:
        if answer is None:
            raise PluginError(
                f"no plugin returned a result from {hook} for connection "
                f"{connection.id!r} of channel {connection.channel!r}; install "
                "the channel's plugin"
            )
        return answer

    def check_connection(self, connection: Connection) -> ConnectionCheck:
        """Ask the connection's plugin whether its token and market work."""
        answer = self.pm.hook.commercium_check_connection(connection=connection)
        return self._answer("commercium_check_connection", connection, answer)  # type: ignore[no-any-return]

    def pull_orders(
        self,
        connection: Connection,
        since: datetime | None,
        products: Sequence[Product],
        *,
        dry_run: bool,
    ) -> OrderBatch:
        """Pull orders created or changed since ``since``."""
        answer = self.pm.hook.commercium_pull_orders(
            connection=connection, since=since, products=products, dry_run=dry_run
        )
        return self._answer("commercium_pull_orders", connection, answer)  # type: ignore[no-any-return]

    def push_shipments(
        self, connection: Connection, shipments: Sequence[Shipment], *, dry_run: bool
    ) -> list[ItemResult]:
        """Report shipments to the marketplace."""
        answer = self.pm.hook.commercium_push_shipments(
            connection=connection, shipments=shipments, dry_run=dry_run
        )
        return self._answer("commercium_push_shipments", connection, answer)  # type: ignore[no-any-return]

    def push_inventory(
        self, connection: Connection, levels: Sequence[StockLevel], *, dry_run: bool
    ) -> list[ItemResult]:
        """Push stock levels."""
        answer = self.pm.hook.commercium_push_inventory(
            connection=connection, levels=levels, dry_run=dry_run
        )
        return self._answer("commercium_push_inventory", connection, answer)  # type: ignore[no-any-return]

    def push_prices(
        self, connection: Connection, prices: Sequence[PriceUpdate], *, dry_run: bool
    ) -> list[ItemResult]:
        """Push prices."""
        answer = self.pm.hook.commercium_push_prices(
            connection=connection, prices=prices, dry_run=dry_run
        )
        return self._answer("commercium_push_prices", connection, answer)  # type: ignore[no-any-return]

    def push_products(
        self, connection: Connection, products: Sequence[Product], *, dry_run: bool
    ) -> list[ItemResult]:
        """Create listings for products that have none."""
        answer = self.pm.hook.commercium_push_products(
            connection=connection, products=products, dry_run=dry_run
        )
        return self._answer("commercium_push_products", connection, answer)  # type: ignore[no-any-return]
