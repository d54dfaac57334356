"""Run the command as ``python -m backmarket_sdk.cli``."""

from backmarket_sdk.cli.main import main

raise SystemExit(main())
