"""The ``backmarket`` command: orders, listings, catalog imports and tasks.

It reads the token and market from ``BACKMARKET_*`` environment variables or
from options, prints rich tables on a terminal and JSON with ``--json``, and
with ``--sandbox`` runs against a sandbox served on 127.0.0.1 for the length
of one command.
"""

from backmarket_sdk.cli.main import main

__all__ = ["main"]
