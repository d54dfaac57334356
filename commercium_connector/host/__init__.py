"""The reference Commercium host: plugin manager, SQLite store, sync, CLI."""
