"""Back Market channel plugin for Commercium hosts.

The hook implementations are in ``commercium_connector.backmarket.plugin``,
registered under the ``commercium.connectors`` entry point group.
"""

from commercium_connector.backmarket.settings import BackMarketSettings, parse_settings

__all__ = ["BackMarketSettings", "parse_settings"]
