"""The sandbox over real HTTP: a threading server from the standard library."""

from __future__ import annotations

import logging
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .messages import SandboxRequest, SandboxResponse

if TYPE_CHECKING:
    from .sandbox import Sandbox

logger = logging.getLogger("backmarket_sdk.sandbox.server")

MAX_PORT = 65535
"""Largest TCP port number."""


def _host_port(address: Any) -> tuple[str, int]:
    host = address[0]
    text = host.decode("ascii") if isinstance(host, bytes) else str(host)
    return text, int(address[1])


class _Handler(BaseHTTPRequestHandler):
    """Converts HTTP requests to ``SandboxRequest`` and writes the response."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's
    # algorithm and delayed ACKs add about 40 ms to every keep-alive reply.
    disable_nagle_algorithm = True
    server_version = "BackMarketSandbox/1"
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        host, port = _host_port(self.server.server_address)
        request = SandboxRequest.build(
            self.command,
            split.path or "/",
            split.query,
            list(self.headers.items()),
            self._read_body(),
            scheme="http",
            host=self.headers.get("Host") or f"{host}:{port}",
        )
        response = self.server.sandbox.handle(request)
        stop = self.server.stopping
        if response.delay > 0:
            stop.wait(response.delay)
        if response.drop == "timeout":
            # Keep the connection open and send nothing, so the client times out.
            stop.wait(self.server.sandbox.timeout_seconds)
            self.close_connection = True
            return
        if response.drop == "reset":
            self._reset()
            return
        self._write(response)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send a TCP RST.
        self.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        self.close_connection = True
        self.connection.close()

    def _write(self, response: SandboxResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The stdlib's backlog of 5 reset some connections of 32 concurrent
    # clients (the throughput benchmark) before their request was read.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        super().__init__(address, _Handler)
        self.sandbox = sandbox
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (after a reset or a timeout) is expected.
        logger.debug("connection from %s ended with an error", client_address)


class SandboxServer:
    """A running loopback HTTP server for one sandbox.

    Attributes:
        url: the base URL, such as ``http://127.0.0.1:8123``.
    """

    def __init__(
        self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        """Bind ``host:port`` without serving yet. Port 0 picks a free port.

        Raises:
            TypeError: ``port`` is not an int.
            ValueError: ``port`` is outside 0 to 65535.
            OSError: The address cannot be bound, such as a port in use.
        """
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(
                f"Invalid port {port!r}: use an int from 0 to {MAX_PORT}, or 0 to "
                "pick a free port."
            )
        if not 0 <= port <= MAX_PORT:
            raise ValueError(
                f"Invalid port {port}: use a TCP port from 0 to {MAX_PORT}, or 0 "
                "to pick a free port."
            )
        self.sandbox = sandbox
        self._server = _Server((host, port), sandbox)
        bound_host, bound_port = _host_port(self._server.server_address)
        display_host = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
        self.url = f"http://{display_host}:{bound_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"backmarket-sandbox-{bound_port}",
            daemon=True,
        )

    @property
    def port(self) -> int:
        """The bound TCP port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()
        logger.info("sandbox serving on %s", self.url)

    def stop(self) -> None:
        """Stop serving and release the port; held connections are let go."""
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        logger.info("sandbox on %s stopped", self.url)

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
