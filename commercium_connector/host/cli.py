"""The ``commercium-connector`` command.

Subcommands: ``demo`` runs a full cycle on the embedded sandbox. ``sync``
runs one cycle or a loop over the configured connections, and the demo when
there is no configuration. ``check``, ``plugins``, ``status`` and ``import``
complete them.

Exit status: see ``EXIT_STATUS_HELP``.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from commercium_connector import __version__
from commercium_connector.host.config import (
    STORE_FILE_NAME,
    ConfigError,
    HostConfig,
    build_connections,
    default_data_dir,
    load_config,
)
from commercium_connector.host.csv_import import (
    CsvImportError,
    import_products,
    import_shipments,
)
from commercium_connector.host.manager import PluginError, PluginHost
from commercium_connector.host.notify import Notifier
from commercium_connector.host.report import render_cycle, render_status
from commercium_connector.host.store import (
    Store,
    StoreLockedError,
    StoreMissingError,
    StoreVersionError,
)
from commercium_connector.host.store.database import StoreUrlError
from commercium_connector.host.sync import STEPS, CycleReport, SyncEngine
from commercium_connector.types import ChannelInfo, Connection

logger = logging.getLogger("commercium_connector.host")

CONFIG_ENV = "COMMERCIUM_CONNECTOR_CONFIG"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ITEMS_FAILED, EXIT_STOPPED = 0, 1, 2, 3, 130
EXIT_STATUS_HELP = """exit status:
  0    every step ran and no item failed (deferred items are retried later)
  1    a sync step failed, or a connection check did not pass
  2    invalid option, configuration file or CSV file; nothing was synced
  3    every step ran, but some items failed (listed in the report)
  130  Ctrl-C or SIGTERM stopped the run after the current step
  128+N  a second signal N ended the run at once (130 for Ctrl-C, 143 for
       SIGTERM)
With --every, the status is the worst of all cycles: 1, then 3, then 0."""
# The longest --every: a week. Longer waits are better left to cron.
MAX_INTERVAL = 7 * 24 * 3600
_INTERVAL = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


class UsageError(Exception):
    """A command-line value is invalid; the message names it and the fix."""


def parse_interval(text: str) -> float:
    """Parse an interval such as ``90s``, ``5m``, ``1h30m`` or ``300`` to seconds."""
    match = _INTERVAL.match(text.strip().lower())
    if not text.strip() or match is None:
        raise UsageError(
            f"invalid interval {text!r} for --every; write e.g. 30s, 5m or 1h30m"
        )
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise UsageError(f"invalid interval {text!r} for --every; it must be above 0")
    if total > MAX_INTERVAL:
        raise UsageError(
            f"invalid interval {text!r} for --every; use at most 168h (a week), "
            "or run the command from cron"
        )
    return float(total)


def parse_steps(text: str | None) -> tuple[str, ...]:
    """Parse ``--only`` into sync steps, in the cycle's order."""
    if text is None:
        return STEPS
    wanted = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STEPS]
    if unknown or not wanted:
        raise UsageError(
            f"invalid step(s) {', '.join(unknown) or text!r} for --only; "
            f"choose among {','.join(STEPS)}"
        )
    return tuple(s for s in STEPS if s in wanted)


class KeyValueFormatter(logging.Formatter):
    """Formats a record as one line of ``key=value`` pairs, for log files."""

    EXTRA_KEYS = ("connection", "step", "kind", "key")

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as ``time level logger msg="..." key=value``."""
        time = self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z")
        message = record.getMessage().replace('"', "'")
        parts = [time, f"level={record.levelname}", f"logger={record.name}"]
        parts.append(f'msg="{message}"')
        for key in self.EXTRA_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                parts.append(f"{key}={value}")
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(verbosity: int, interactive: bool) -> None:
    """Send logs to stderr: rich on a terminal, key=value lines otherwise.

    Args:
        verbosity: -1 for -q, 0 by default, 1 for -v, 2 for -vv.
        interactive: Whether stderr is a terminal.
    """
    base = logging.WARNING if interactive else logging.INFO
    level = {-1: logging.ERROR, 0: base, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler: logging.Handler
    if interactive:
        handler = RichHandler(console=Console(stderr=True), show_path=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs each request at INFO; keep it for -vv.
    logging.getLogger("httpx").setLevel(
        logging.DEBUG if verbosity >= 2 else logging.WARNING
    )


class StopSignal:
    """Turns the first SIGINT or SIGTERM into a clean stop after the step.

    A second signal ends the process at once, as a kill would, and the store
    is built to survive that. The signals are read from a wakeup socket by a
    watcher thread rather than by a Python-level handler. A handler runs only
    when the main thread executes Python code, so two signals that arrive
    while it waits in C (an SQLite lock, a socket read) would count as one.
    The C-level handler writes one byte per signal to the socket.

    Args:
        hard_stop: Ends the process with the given status; tests pass their
            own.
    """

    def __init__(self, hard_stop: Callable[[int], object] = os._exit) -> None:
        self.event = threading.Event()
        self._hard_stop = hard_stop

    def _watch(self, reader: socket.socket) -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            for signum in data:
                self._received(signum)

    def _received(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.event.is_set():
            sys.stderr.write(f"{name} received again: stopping now\n")
            sys.stderr.flush()
            self._hard_stop(128 + signum)
            return
        self.event.set()
        logger.warning(
            "%s received: stopping after the current step (send it again to stop now)",
            name,
        )

    @contextmanager
    def installed(self) -> Iterator[threading.Event]:
        """Install the handlers for the ``with`` block."""
        if threading.current_thread() is not threading.main_thread():
            yield self.event
            return
        reader, writer = socket.socketpair()
        writer.setblocking(False)
        watcher = threading.Thread(
            target=self._watch, args=(reader,), name="signal-watcher", daemon=True
        )
        watcher.start()
        previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        # The Python-level handler does nothing: the watcher acts on the
        # byte the C-level handler wrote, and the default SIGINT handler
        # would raise KeyboardInterrupt.
        previous = {
            s: signal.signal(s, _ignore_signal) for s in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield self.event
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous_fd)
            writer.close()
            watcher.join(timeout=5)
            reader.close()


def _ignore_signal(_signum: int, _frame: FrameType | None) -> None:
    return None


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commercium-connector",
        description="Sync marketplace channels with an SQLite store through the "
        "Commercium connector plugins.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logs (-vv for debug)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="errors only")
    # The same options after the command name; SUPPRESS keeps an option given
    # before the command from being reset by the subcommand's default.
    verbosity = argparse.ArgumentParser(add_help=False)
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="more logs (-vv for debug)",
    )
    verbosity.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="errors only",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str, config: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[verbosity],
            epilog=EXIT_STATUS_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if config:
            sub.add_argument(
                "--config",
                type=Path,
                help=f"TOML configuration file (default: ${CONFIG_ENV})",
            )
        sub.add_argument(
            "--data-dir",
            type=Path,
            help="folder of the SQLite store; overrides the configuration's path",
        )
        return sub

    demo = add("demo", "run a full cycle on the embedded sandbox", config=False)
    sync = add(
        "sync",
        "run the sync cycle once or every interval; with no configuration, the "
        "demo on the embedded sandbox (a warning says so)",
    )
    for sub in (demo, sync):
        sub.add_argument(
            "--only",
            help=f"comma-separated steps to run, among {','.join(STEPS)}",
        )
        sub.add_argument(
            "--every", help="repeat at this interval, e.g. 30s, 5m, 1h, until stopped"
        )
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be sent; send and store nothing",
        )
    sync.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="how many connections to sync at once, each in a thread (default 1)",
    )
    check = add("check", "check each connection's token, market and reachability")
    check.add_argument("--connection", help="check only the connection with this id")
    commands.add_parser(
        "plugins", help="list the channel plugins found", parents=[verbosity]
    )
    add("status", "show cursors, last results and pending items")
    importing = add("import", "import the host's products or shipments from CSV")
    importing.add_argument("kind", choices=("products", "shipments"))
    importing.add_argument("file", type=Path, help="the CSV file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    interactive = sys.stderr.isatty()
    configure_logging(-1 if args.quiet else args.verbose, interactive)
    console = Console()
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    handlers: dict[str, Callable[[argparse.Namespace, Console], int]] = {
        "demo": _cmd_demo,
        "sync": _cmd_sync,
        "check": _cmd_check,
        "plugins": _cmd_plugins,
        "status": _cmd_status,
        "import": _cmd_import,
    }
    try:
        return handlers[args.command](args, console)
    except (UsageError, ConfigError, CsvImportError, PluginError) as exc:
        _error(str(exc))
    except (
        StoreLockedError,
        StoreMissingError,
        StoreVersionError,
        StoreUrlError,
    ) as exc:
        _error(str(exc))
    except FileExistsError as exc:
        _error(str(exc))
    except StoreOpenError as exc:
        _error(str(exc))
    except KeyboardInterrupt:
        _error("stopped")
        return EXIT_STOPPED
    return EXIT_USAGE


class StoreOpenError(Exception):
    """The store's folder or file cannot be created or opened."""


def _error(message: str) -> None:
    # Escaped, because messages quote TOML tables such as [[connections]],
    # which rich would take for markup and drop.
    Console(stderr=True, soft_wrap=True).print(
        f"[red]error:[/red] {escape(message)}", highlight=False
    )


def _warn(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(
        f"[bold yellow]warning:[/bold yellow] {escape(message)}", highlight=False
    )


def _config_path(args: argparse.Namespace) -> Path | None:
    path: Path | None = getattr(args, "config", None)
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    return path


def _store_path(args: argparse.Namespace, config: HostConfig | None) -> Path:
    if args.data_dir is not None:
        return Path(args.data_dir) / STORE_FILE_NAME
    if config is not None:
        return config.store_path
    return default_data_dir() / STORE_FILE_NAME


def _open_store(
    args: argparse.Namespace, config: HostConfig | None, *, exclusive: bool = True
) -> Store:
    """Open the store named by --data-dir, else by the configuration.

    Raises:
        StoreOpenError: The folder or file cannot be created or opened.
    """
    if args.data_dir is None and config is not None and config.store_url:
        return Store.open_url(config.store_url, exclusive=exclusive)
    path = _store_path(args, config)
    try:
        return Store.open(path, exclusive=exclusive)
    except (OSError, sa.exc.OperationalError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc.orig)
        option = "--data-dir" if args.data_dir is not None else "store.path"
        raise StoreOpenError(
            f"cannot open the store {path}: {reason}; set {option} to a folder "
            "you can write to"
        ) from None


def _require_config(
    args: argparse.Namespace,
    *,
    secrets: bool,
    channels: Mapping[str, ChannelInfo] | None = None,
) -> HostConfig:
    path = _config_path(args)
    if path is None:
        raise UsageError(
            f"no configuration; pass --config FILE or set {CONFIG_ENV} "
            "(or run `commercium-connector demo`)"
        )
    return load_config(path, secrets=secrets, channels=channels)


@contextmanager
def _progress(console: Console, total: int, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("sync", total=total)

        def advance(connection: Connection, step: str) -> None:
            bar.update(task, advance=1, description=f"{connection.id} {step}")

        yield advance


def cycle_status(report: CycleReport) -> int:
    """Return the exit status one cycle earns, before any signal."""
    if report.failed:
        return EXIT_FAILED
    if report.failed_items:
        return EXIT_ITEMS_FAILED
    return EXIT_OK


def _worst(first: int, second: int) -> int:
    order = (EXIT_OK, EXIT_ITEMS_FAILED, EXIT_FAILED)
    return max(first, second, key=order.index)


def _loop(
    every: float | None,
    stop: threading.Event,
    run_once: Callable[[], CycleReport],
    console: Console,
    title: str,
) -> int:
    status = EXIT_OK
    while True:
        report = run_once()
        render_cycle(console, report, title=title)
        status = _worst(status, cycle_status(report))
        if report.stopped or every is None:
            break
        logger.info("next cycle in %.0f s", every)
        if stop.wait(every):
            break
    if stop.is_set():
        logger.warning("stopped")
        return EXIT_STOPPED if report.stopped else status
    return status


def _cmd_demo(
    args: argparse.Namespace, console: Console, *, title: str = "Demo sync"
) -> int:
    from commercium_connector.host.demo import DemoRun

    steps = parse_steps(args.only)
    every = parse_interval(args.every) if args.every else None
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="commercium-demo-"))
    demo = DemoRun(Path(data_dir), PluginHost())
    interactive = sys.stderr.isatty() and not args.quiet
    console.print(
        f"Demo: Back Market sandbox on 127.0.0.1, sample catalog, store in {data_dir}",
        highlight=False,
    )
    signals = StopSignal()
    with signals.installed() as stop, demo.running() as (engine, connection):
        cycles = 0

        def run_once() -> CycleReport:
            nonlocal cycles
            if cycles:
                sku = demo.place_customer_order()
                logger.info("a customer ordered %s on the sandbox", sku)
            cycles += 1
            with _progress(console, len(steps), interactive) as advance:
                report = demo.cycle(
                    engine,
                    connection,
                    steps=steps,
                    dry_run=args.dry_run,
                    stop=stop,
                    progress=advance,
                )
            if demo.packed:
                console.print(
                    f"The shop packed {demo.packed} of the new orders; their "
                    "shipments went out in the shipments step."
                )
            return report

        status = _loop(every, stop, run_once, console, title)
    console.print(
        f"Store kept in {data_dir}; see it with "
        f"`commercium-connector status --data-dir {data_dir}`.",
        highlight=False,
    )
    return status


NO_CONFIG_WARNING = (
    "no configuration: neither --config nor {env} is set, so this runs the "
    "DEMO on an embedded sandbox. No real account is synced and no real "
    "order is pulled. Pass --config FILE or set {env} for a real sync."
)


def _cmd_sync(args: argparse.Namespace, console: Console) -> int:
    if _config_path(args) is None:
        # Printed first, and even with -q, because a cron job that lost its
        # environment would otherwise look like a successful sync.
        _warn(NO_CONFIG_WARNING.format(env=CONFIG_ENV))
        return _cmd_demo(
            args, console, title="DEMO sync (no configuration: nothing real synced)"
        )
    steps = parse_steps(args.only)
    every = parse_interval(args.every) if args.every else None
    if args.jobs < 1:
        raise UsageError(f"invalid --jobs {args.jobs}; use 1 or more")
    plugins = PluginHost()
    config = _require_config(args, secrets=True, channels=plugins.channels())
    interactive = sys.stderr.isatty() and not args.quiet
    with _open_store(args, config) as store:
        connections = build_connections(config, plugins.channels(), store.state_for)
        if not connections:
            raise UsageError(f"{config.source}: every connection is disabled")
        engine = SyncEngine(store, plugins, Notifier(config.smtp))
        signals = StopSignal()
        with signals.installed() as stop:

            def run_once() -> CycleReport:
                total = len(connections) * len(steps)
                with _progress(console, total, interactive) as advance:
                    return engine.run_cycle(
                        connections,
                        steps,
                        dry_run=args.dry_run,
                        stop=stop,
                        progress=advance,
                        jobs=args.jobs,
                    )

            return _loop(every, stop, run_once, console, "Sync")


def _cmd_check(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    plugins = PluginHost()
    config = _require_config(args, secrets=True, channels=plugins.channels())
    try:
        opened = _open_store(args, config)
    except StoreLockedError:
        # A check sends nothing, so it may run beside a sync that holds the
        # run lock; it then uses the store without the lock.
        logger.info("a sync holds the store; checking without the run lock")
        opened = _open_store(args, config, exclusive=False)
    with opened as store:
        connections = build_connections(config, plugins.channels(), store.state_for)
        if args.connection:
            connections = [c for c in connections if c.id == args.connection]
            if not connections:
                raise UsageError(
                    f"no enabled connection with id {args.connection!r} in "
                    f"{config.source}"
                )
        table = Table(title="Connection check", title_justify="left")
        for column in ("connection", "channel", "result", "message"):
            table.add_column(column)
        status = EXIT_OK
        for connection in connections:
            check = plugins.check_connection(connection)
            if not check.ok:
                status = EXIT_FAILED
            details = ", ".join(f"{k}={v}" for k, v in sorted(check.details.items()))
            message = check.message + (f" ({details})" if details else "")
            result = "[green]ok[/green]" if check.ok else "[red]failed[/red]"
            table.add_row(connection.id, connection.channel, result, escape(message))
        console.print(table)
    return status


def _cmd_plugins(args: argparse.Namespace, console: Console) -> int:
    plugins = PluginHost()
    infos = plugins.plugin_infos()
    console.print("Plugins of the commercium.connectors entry point group:")
    for info in infos:
        dist = f"{info.distribution} {info.version}".strip() or "-"
        console.print(f"\n[bold]{info.name}[/bold] ({dist})", highlight=False)
        console.print(f"  channels: {', '.join(info.channels) or '-'}", highlight=False)
        console.print(f"  hooks: {', '.join(info.hooks)}", highlight=False)
    if plugins.blocked:
        console.print(f"\nBlocked: {', '.join(plugins.blocked)}", highlight=False)
    if not infos:
        console.print("No plugin is installed in the commercium.connectors group.")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace, console: Console) -> int:
    config = None
    if args.data_dir is None:
        config = _require_config(args, secrets=False)
    elif _config_path(args) is not None:
        config = load_config(_config_path(args) or Path(), secrets=False)
    ids = [c.id for c in config.connections] if config else []
    with _open_store(args, config, exclusive=False) as store:
        render_status(console, store, ids)
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, console: Console) -> int:
    config = None
    if args.data_dir is None:
        config = _require_config(args, secrets=False)
    with _open_store(args, config) as store:
        if args.kind == "products":
            changes = import_products(store, args.file)
            console.print(
                f"Imported {args.file}: {changes.products_added} products added, "
                f"{changes.products_updated} updated, {changes.stock_changed} stock "
                f"levels and {changes.prices_changed} prices changed.",
                highlight=False,
                markup=False,
            )
            if changes.stock_kept:
                console.print(
                    f"{changes.stock_kept} stock levels kept: the file has the "
                    "same quantity as the last import, so the sales since stand. "
                    "Change a quantity in the file to set a new count.",
                    highlight=False,
                )
        else:
            result = import_shipments(store, args.file)
            console.print(
                f"Imported {args.file}: {result.added_or_updated} shipments to send "
                f"on the next sync, {result.unchanged} already known.",
                highlight=False,
                markup=False,
            )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
