"""Run the sandbox on loopback: ``python -m backmarket_sdk.sandbox --port 0``."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from collections.abc import Sequence

from .limits import RateLimits
from .sandbox import DEFAULT_TOKEN, Sandbox
from .server import MAX_PORT, SandboxServer


def _port(text: str) -> int:
    """Parse a TCP port number from 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid port {text!r}: use a whole number from 0 to 65535, such as 8123"
        ) from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"invalid port {text!r}: use a TCP port from 0 to 65535, or 0 to "
            "pick a free port"
        )
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backmarket_sdk.sandbox",
        description="Serve a local, stateful Back Market seller API sandbox.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=0,
        help="TCP port from 0 to 65535, or 0 to pick a free one (default: 0)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="random seed of the seeded data (default: 42)",
    )
    parser.add_argument(
        "--orders", type=int, default=40, help="number of seeded orders (default: 40)"
    )
    parser.add_argument(
        "--listings",
        type=int,
        default=30,
        help="number of generated listings (default: 30)",
    )
    parser.add_argument(
        "--token",
        default=DEFAULT_TOKEN,
        help="token the sandbox accepts (default: a fixed sandbox token)",
    )
    parser.add_argument(
        "--task-seconds",
        type=float,
        default=3.0,
        help="sandbox seconds a catalog task takes (default: 3)",
    )
    parser.add_argument(
        "--no-limits",
        action="store_true",
        help="turn off the traffic and data limits (no 429 responses)",
    )
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    for option in ("orders", "listings", "task_seconds"):
        value = getattr(args, option)
        if value < 0:
            parser.error(f"--{option.replace('_', '-')} must be >= 0, got {value}")
    return args


def _reason(error: OSError) -> str:
    """Describe a failed bind with the fix when the port is taken."""
    if error.errno == errno.EADDRINUSE:
        return (
            "the port is already in use by another program. Stop that program, "
            "pick another --port, or pass --port 0 to get a free one."
        )
    return str(error)


def _wait_for_stop() -> None:
    stop = threading.Event()
    # SIGTERM (from a process manager or `kill`) stops the server cleanly, as
    # Ctrl-C does. A shell may start background jobs with SIGINT ignored.
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; return the process exit status."""
    args = _parse(argv)
    try:
        sandbox = Sandbox(
            seed=args.seed,
            orders=args.orders,
            listing_count=args.listings,
            token=args.token,
            limits=RateLimits.unlimited() if args.no_limits else None,
            task_start_after=min(1.0, args.task_seconds),
            task_duration=args.task_seconds,
        )
        server = SandboxServer(sandbox, args.host, args.port)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {_reason(error)}",
            file=sys.stderr,
        )
        return 1

    server.start()
    # The token is printed on purpose: it is the sandbox's own test token,
    # which a client needs to talk to this local server.
    print(f"Back Market sandbox serving on {server.url}", flush=True)
    print(f"token: {sandbox.token}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        _wait_for_stop()
    finally:
        server.stop()
    print("Back Market sandbox stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
