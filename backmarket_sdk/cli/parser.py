"""Argument parser of the ``backmarket`` command.

Global options are accepted before or after the subcommand
(``backmarket --json orders list`` and ``backmarket orders list --json``):
each leaf subcommand repeats them with suppressed defaults, so a value given
after the subcommand overrides the top-level default and nothing else does.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from backmarket_sdk._config import ENVIRONMENTS, MARKETS, PLATFORMS

DESCRIPTION = """\
Work with a Back Market seller account from the command line: list, show,
accept and ship orders, show and update listings, import a catalog CSV and
follow its task.

The token and market come from BACKMARKET_TOKEN and BACKMARKET_MARKET (or
--token and --market), the user agent from BACKMARKET_USER_AGENT (or
--user-agent). Add --sandbox to try any command against a local sandbox
without an account.
"""

EPILOG = """\
examples:
  backmarket --sandbox orders list --state 1
  backmarket --sandbox orders accept 71654
  backmarket orders ship 71654 --tracking-number 1Z999AA10123456784 --shipper UPS
  backmarket listings update --sku IP12-64GB-BLA-EX --quantity 4 --price 299.90
  backmarket catalog import prices.csv --json

exit status: 0 on success, 1 when Back Market or the network failed or a
task did not finish cleanly, 2 for an invalid option, file or setting.
"""


MAX_LIMIT = 1_000_000
"""Largest ``--limit`` of a list command; 0 prints every item instead."""

# NOTE: Back Market documents no maximum stock for a listing. This bound is
# the command's own choice. It is far above a listing's usual stock, yet low
# enough to reject a typo such as a pasted EAN before it changes the stock.
MAX_QUANTITY = 1_000_000
"""Largest stock quantity the command sends or filters on."""

DEFAULT_HOURLY_SKU_BUDGET = 2_000
"""Back Market's published budget of SKU lines changed per hour."""


# int(), float() and Decimal() also accept digits of other scripts ("٧" is 7),
# underscores, exponents and surrounding spaces, so the text must match one of
# these patterns before it is converted.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DECIMAL_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")


def _whole_number(text: str, example: str) -> int:
    """Parse a whole number written in ASCII digits, with an optional sign."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: use a whole number in digits, ASCII 0-9 only, "
            f"such as {example}"
        )
    return int(text)


def whole_number(text: str) -> int:
    """Parse a whole number such as a state code, in ASCII digits."""
    return _whole_number(text, "1")


def positive_int(text: str) -> int:
    """Parse a positive whole number such as an order id."""
    value = _whole_number(text, "42")
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: use 1 or more")
    return value


def list_limit(text: str) -> int:
    """Parse the ``--limit`` of a list command, from 0 (every item) to MAX_LIMIT."""
    value = _whole_number(text, "50")
    if not 0 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(
            f"invalid limit {text!r}: use a number from 1 to {MAX_LIMIT:,}, or 0 "
            "to print every item"
        )
    return value


def quantity(text: str) -> int:
    """Parse a stock quantity from 0 to MAX_QUANTITY units."""
    value = _whole_number(text, "5")
    if not 0 <= value <= MAX_QUANTITY:
        raise argparse.ArgumentTypeError(
            f"invalid quantity {text!r}: use a whole number of units from 0 to "
            f"{MAX_QUANTITY:,}. Back Market documents no maximum, but this "
            "command stops there so that a typo, such as a pasted EAN, is caught "
            "before it changes the stock"
        )
    return value


def positive_float(text: str) -> float:
    """Parse a positive number of seconds, such as 5 or 0.5."""
    if not _DECIMAL_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: use a number of seconds in digits, ASCII "
            "0-9 only, such as 5 or 0.5"
        )
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: use a positive number of seconds"
        )
    return value


def amount(text: str) -> Decimal:
    """Parse a price above 0, such as ``199.90``, exactly as a Decimal."""
    if not _DECIMAL_NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"invalid amount {text!r}: use a decimal number in digits, ASCII 0-9 "
            "only, with a dot, such as 199.90"
        )
    value = Decimal(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"invalid amount {text!r}: use an amount above 0; to stop selling, "
            "use --quantity 0"
        )
    return value


def utc_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; one without a zone is read as UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid date {text!r}: use ISO 8601, such as 2026-01-31 or "
            "2026-01-31T09:00:00Z"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def single_char(text: str) -> str:
    """Parse a one-character CSV delimiter or quote character."""
    if text == "\\t":
        return "\t"
    if len(text) != 1:
        raise argparse.ArgumentTypeError(
            f"invalid character {text!r}: use exactly one character, such as ';'"
        )
    return text


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Add the connection and output options, with or without their defaults."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection and output")
    group.add_argument(
        "--token",
        default=default(None),
        help="API token (default: $BACKMARKET_TOKEN; prefer the variable, "
        "since options show in the process list)",
    )
    group.add_argument(
        "--market",
        choices=MARKETS,
        metavar="MARKET",
        default=default(None),
        help="market code such as fr-fr (default: $BACKMARKET_MARKET, then fr-fr)",
    )
    group.add_argument(
        "--platform",
        choices=PLATFORMS,
        default=default(None),
        help="EU, NA or AP (default: the market's platform)",
    )
    group.add_argument(
        "--environment",
        choices=ENVIRONMENTS,
        default=default(None),
        help="production or preprod (default: $BACKMARKET_ENVIRONMENT, then "
        "production)",
    )
    group.add_argument(
        "--base-url",
        default=default(None),
        help="explicit API root instead of the platform's host "
        "(default: $BACKMARKET_BASE_URL)",
    )
    group.add_argument(
        "--allow-custom-host",
        action="store_true",
        default=default(False),
        help="allow a --base-url that is neither a Back Market host nor "
        "loopback, such as a proxy; the token is sent to it",
    )
    group.add_argument(
        "--user-agent",
        default=default(None),
        help="BM-{CompanyName}-{IntegrationName};{contact email} "
        "(default: $BACKMARKET_USER_AGENT)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print JSON instead of tables",
    )
    group.add_argument(
        "--sandbox",
        action="store_true",
        default=default(False),
        help="run against a fresh sandbox served on 127.0.0.1; its data lives "
        "only for this command",
    )


def _leaf(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    _add_global_options(parser, suppress=True)
    return parser


def _add_order_commands(
    top: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    orders = top.add_parser("orders", help="list, show, accept and ship orders")
    commands = orders.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = _leaf(commands, "list", "List orders, newest pages first.")
    listing.add_argument(
        "--state",
        type=whole_number,
        help="only orders in this state: 0 new, 1 paid (to accept), 3 accepted "
        "(to ship), 8 not paid, 9 shipped, 10 pending payment",
    )
    listing.add_argument(
        "--created-since",
        type=utc_datetime,
        metavar="DATE",
        help="only orders created at or after this ISO 8601 time (UTC if no zone)",
    )
    listing.add_argument(
        "--modified-since",
        type=utc_datetime,
        metavar="DATE",
        help="only orders changed at or after this ISO 8601 time (UTC if no zone)",
    )
    listing.add_argument(
        "--country", choices=MARKETS, metavar="MARKET", help="only orders of a market"
    )
    listing.add_argument(
        "--limit",
        type=list_limit,
        default=50,
        help="print at most this many orders; 0 for all (default: 50)",
    )

    show = _leaf(commands, "show", "Show one order with its lines and address.")
    show.add_argument("order_id", type=positive_int, metavar="ORDER_ID")

    accept = _leaf(commands, "accept", "Accept orderlines of a paid order.")
    accept.add_argument("order_id", type=positive_int, metavar="ORDER_ID")
    accept.add_argument(
        "--sku",
        action="append",
        dest="skus",
        metavar="SKU",
        help="accept the line of this SKU; repeat for several (default: every "
        "line waiting for acceptance)",
    )

    ship = _leaf(commands, "ship", "Mark an accepted order shipped.")
    ship.add_argument("order_id", type=positive_int, metavar="ORDER_ID")
    ship.add_argument(
        "--tracking-number", required=True, help="the carrier's tracking number"
    )
    ship.add_argument(
        "--shipper", help="carrier name as Back Market spells it, such as UPS"
    )
    ship.add_argument("--tracking-url", help="the carrier's tracking page")
    ship.add_argument(
        "--imei", help="15-digit IMEI, for an order of one unit on one line"
    )
    ship.add_argument(
        "--serial-number", help="serial number, for an order of one unit on one line"
    )


def _add_listing_target(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "listing_id",
        nargs="?",
        metavar="LISTING_ID",
        help="the listing's UUID or its integer listing_id",
    )
    target.add_argument("--sku", help="the listing's SKU (case insensitive)")


def _add_listing_commands(
    top: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    listings = top.add_parser("listings", help="list, show and update listings")
    commands = listings.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = _leaf(commands, "list", "List listings.")
    listing.add_argument(
        "--publication-state",
        type=whole_number,
        help="only listings in this state: 0 missing info, 1 pending "
        "validation, 2 online, 3 offline, 4 deactivated",
    )
    listing.add_argument(
        "--min-quantity",
        type=quantity,
        help=f"only listings with at least this stock (0 to {MAX_QUANTITY:,})",
    )
    listing.add_argument(
        "--max-quantity",
        type=quantity,
        help=f"only listings with at most this stock (0 to {MAX_QUANTITY:,})",
    )
    listing.add_argument(
        "--limit",
        type=list_limit,
        default=50,
        help="print at most this many listings; 0 for all (default: 50)",
    )

    show = _leaf(commands, "show", "Show one listing.")
    _add_listing_target(show)

    update = _leaf(commands, "update", "Update a listing's stock, price or comment.")
    _add_listing_target(update)
    update.add_argument(
        "--quantity",
        type=quantity,
        help=f"stock for every market, from 0 to {MAX_QUANTITY:,}, where 0 takes "
        "the listing offline",
    )
    update.add_argument(
        "--price",
        type=amount,
        help="price in the market's currency, above 0, such as 199.90",
    )
    update.add_argument("--comment", help="seller comment shown on the listing")
    update.add_argument(
        "--warranty-delay", type=positive_int, metavar="MONTHS", help="warranty"
    )


def _add_task_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=900.0,
        help="seconds to wait for each task (default: 900)",
    )
    parser.add_argument(
        "--poll-interval",
        type=positive_float,
        help="seconds between two reads of a task (default: 5, or 0.25 with --sandbox)",
    )


def _add_catalog_and_task_commands(
    top: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    catalog = top.add_parser("catalog", help="import a catalog CSV")
    commands = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    upload = _leaf(
        commands,
        "import",
        "Send a catalog CSV (one task per 15,000 lines) and wait for its tasks.",
    )
    upload.add_argument(
        "csv_file",
        metavar="CSV_FILE",
        help="CSV with a header line: sku and columns such as quantity, price, "
        "product_id or ean",
    )
    upload.add_argument(
        "--delimiter",
        type=single_char,
        default=",",
        help="field delimiter of the file, also used to send it (default: ','; "
        "'\\t' for a tab)",
    )
    upload.add_argument(
        "--hourly-sku-budget",
        type=positive_int,
        default=DEFAULT_HOURLY_SKU_BUDGET,
        metavar="LINES",
        help="SKU lines Back Market lets the account change in an hour. A file "
        f"with more rows is rejected before sending (default: "
        f"{DEFAULT_HOURLY_SKU_BUDGET}, Back Market's published figure)",
    )
    upload.add_argument(
        "--no-wait",
        action="store_true",
        help="print the task ids and return without waiting",
    )
    _add_task_options(upload)

    tasks = top.add_parser("tasks", help="show or wait for catalog tasks")
    task_commands = tasks.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = _leaf(task_commands, "show", "Show a task and its per-SKU report.")
    show.add_argument("task_id", type=positive_int, metavar="TASK_ID")
    wait = _leaf(task_commands, "wait", "Wait until a task is done or failed.")
    wait.add_argument("task_id", type=positive_int, metavar="TASK_ID")
    _add_task_options(wait)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of every subcommand."""
    from backmarket_sdk import __version__

    parser = argparse.ArgumentParser(
        prog="backmarket",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    _add_global_options(parser, suppress=False)
    top = parser.add_subparsers(dest="resource", metavar="COMMAND", required=True)
    _add_order_commands(top)
    _add_listing_commands(top)
    _add_catalog_and_task_commands(top)
    return parser
