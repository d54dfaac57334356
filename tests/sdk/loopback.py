"""A small stateful Back Market look-alike on 127.0.0.1 for SDK tests.

It serves the orders, orderlines, listings, tasks and categories endpoints
with hand-written JSON of the spec's shapes. A test can also queue the next
replies of one route (errors, HTML, truncated JSON, slow responses) to drive
the client's retry and error paths over real HTTP.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.sdk import fixtures

JSON_TYPE = "application/json"


@dataclass
class Reply:
    """A scripted reply.

    Attributes:
        status: HTTP status.
        json: JSON body, or None to send ``raw``.
        raw: Raw body bytes when ``json`` is None.
        headers: Extra headers.
        delay: Seconds to wait before responding.
        passthrough: Run the normal handler (and its state change) and send
            its response after ``delay``; ``status`` and bodies are ignored.
        content_length: Content-Length to announce instead of the real one,
            to simulate a body cut off mid-way.
    """

    status: int = 200
    json: Any = None
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    passthrough: bool = False
    content_length: int | None = None


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


def v1_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, "requestId": "req-" + code}


class LoopbackAPI:
    """State and routing of the look-alike API."""

    def __init__(
        self, orders: int = 3, listings: int = 3, *, varied: bool = False
    ) -> None:
        self.base_url = ""
        self.lock = threading.Lock()
        make_order = fixtures.varied_order if varied else fixtures.order
        self.orders: dict[int, dict[str, Any]] = {
            n: make_order(n) for n in range(1, orders + 1)
        }
        self.listings: list[dict[str, Any]] = [
            fixtures.listing(4560 + n, f"SKU-{n}") for n in range(1, listings + 1)
        ]
        self.tasks: dict[int, dict[str, Any]] = {}
        self.task_reads: collections.Counter[int] = collections.Counter()
        self.next_task_id = 1001
        self.scripts: dict[tuple[str, str], collections.deque[Reply]] = {}
        self.log: list[Recorded] = []

    # Test controls

    def script(self, method: str, path: str, *replies: Reply) -> None:
        """Queue replies for the next requests of one route, in order."""
        with self.lock:
            queue = self.scripts.setdefault((method, path), collections.deque())
            queue.extend(replies)

    def requests_to(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.log if r.method == method and r.path == path]

    # Dispatch

    def take_script(self, method: str, path: str) -> Reply | None:
        with self.lock:
            queue = self.scripts.get((method, path))
            if queue:
                return queue.popleft()
        return None

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        if headers.get("authorization") != f"Basic {fixtures.TOKEN}":
            return self.json_reply(401, v1_error("E401", "Invalid token"))
        with self.lock:
            status, payload = self.route(method, path, query, headers, body)
        if payload is None:
            return status, {}, b""
        return self.json_reply(status, payload)

    @staticmethod
    def json_reply(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
        data = json.dumps(payload).encode()
        return status, {"Content-Type": JSON_TYPE}, data

    def route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, Any]:
        for pattern, handler_method, name in ROUTES:
            match = pattern.fullmatch(path)
            if match and method == handler_method:
                handler = getattr(self, name)
                return handler(*match.groups(), query=query, headers=headers, body=body)  # type: ignore[no-any-return]
        return 404, v1_error("E404", f"No route for {method} {path}")

    # Helpers

    def page(
        self, path: str, items: list[Any], query: dict[str, str]
    ) -> dict[str, Any]:
        number = int(query.get("page", "1"))
        size = min(int(query.get("page-size", "10")), 50)
        start = (number - 1) * size
        chunk = items[start : start + size]
        next_url = None
        if start + size < len(items):
            next_query = {**query, "page": str(number + 1)}
            next_url = f"{self.base_url}{path}?{urlencode(next_query)}"
        previous = None
        if number > 1:
            previous = (
                f"{self.base_url}{path}?{urlencode({**query, 'page': number - 1})}"
            )
        return {
            "count": len(items),
            "next": next_url,
            "previous": previous,
            "results": chunk,
        }

    def find_listing(self, key: str) -> dict[str, Any] | None:
        for item in self.listings:
            if key in (item["id"], str(item["listing_id"])):
                return item
        return None

    # Orders

    def list_orders(self, **kw: Any) -> tuple[int, Any]:
        query = kw["query"]
        items = list(self.orders.values())
        if "state" in query:
            items = [o for o in items if str(o["state"]) == query["state"]]
        else:
            items = [o for o in items if o["state"] not in (0, 8)]
        return 200, self.page("/ws/orders", items, query)

    def get_order(self, order_id: str, **kw: Any) -> tuple[int, Any]:
        found = self.orders.get(int(order_id))
        if found is None:
            return 404, v1_error("E404", f"Order {order_id} not found")
        return 200, found

    def update_order(self, order_id: str, **kw: Any) -> tuple[int, Any]:
        found = self.orders.get(int(order_id))
        if found is None:
            return 404, v1_error("E404", f"Order {order_id} not found")
        data = json.loads(kw["body"])
        if data.get("order_id") != int(order_id):
            return 400, v1_error("E009", "order_id of the body differs from the URL")
        new_state = data.get("new_state")
        lines = found["orderlines"]
        if new_state in (2, 4):
            sku = str(data.get("sku", "")).casefold()
            line = next((ln for ln in lines if ln["listing"].casefold() == sku), None)
            if line is None:
                return 400, v1_error("E010", "No orderline for this sku")
            line["state"] = new_state
            if all(ln["state"] == 2 for ln in lines):
                found["state"] = 3
        elif new_state == 3:
            if not data.get("tracking_number"):
                return 400, v1_error("E011", "tracking_number is required")
            for line in lines:
                line["state"] = 3
            found["state"] = 9
            found["tracking_number"] = data["tracking_number"]
            found["shipper_display"] = data.get("shipper", "")
            found["date_shipping"] = data.get("date_shipping", "2024-03-02T10:00:00Z")
        else:
            return 400, v1_error("E012", f"Invalid new_state {new_state}")
        return 200, found

    def upload_invoice(self, order_id: str, **kw: Any) -> tuple[int, Any]:
        content_type = kw["headers"].get("content-type", "")
        if (
            not content_type.startswith("multipart/form-data")
            or b'name="invoice"' not in kw["body"]
        ):
            return 400, v1_error("E013", "invoice file is required")
        return 200, None

    def update_orderline(self, line_id: str, **kw: Any) -> tuple[int, Any]:
        data = json.loads(kw["body"])
        return 200, {k: data[k] for k in ("imei", "serial_number") if k in data}

    # Listings

    def list_listings(self, **kw: Any) -> tuple[int, Any]:
        return 200, self.page("/ws/listings", self.listings, kw["query"])

    def listing_detail(self, **kw: Any) -> tuple[int, Any]:
        sku = kw["query"].get("sku", "").casefold()
        for item in self.listings:
            if item["sku"].casefold() == sku:
                return 200, {**item, "statuscode": 200}
        return 404, v1_error("E404", "Listing not found")

    def get_listing(self, key: str, **kw: Any) -> tuple[int, Any]:
        found = self.find_listing(key)
        if found is None:
            return 404, v1_error("E404", "Listing not found")
        return 200, {**found, "statuscode": 200}

    def update_listing(self, key: str, **kw: Any) -> tuple[int, Any]:
        found = self.find_listing(key)
        if found is None:
            return 404, v1_error("E404", "Listing not found")
        data = json.loads(kw["body"])
        for name in ("quantity", "comment", "warranty_delay"):
            if name in data:
                found[name] = data[name]
        if "price" in data:
            found["price"] = str(data["price"])
        return 200, {**found, "statuscode": 200, "shippings_response": []}

    def import_catalog(self, **kw: Any) -> tuple[int, Any]:
        data = json.loads(kw["body"])
        if not data.get("catalog"):
            return 400, "parameter catalog not found"
        task_id = self.next_task_id
        self.next_task_id += 1
        reader = csv.DictReader(
            io.StringIO(data["catalog"]),
            delimiter=data["delimiter"],
            quotechar=data["quotechar"],
        )
        skus = [row["sku"] for row in reader]
        self.tasks[task_id] = {"skus": skus}
        return 200, {"bodymessage": task_id, "statuscode": 200}

    def get_task(self, task_id: str, **kw: Any) -> tuple[int, Any]:
        number = int(task_id)
        if number not in self.tasks:
            return 404, None
        self.task_reads[number] += 1
        reads = self.task_reads[number]
        status = {1: 0, 2: 2}.get(reads, 9)
        result = {sku: {"status": "OK"} for sku in self.tasks[number]["skus"]}
        return 200, {
            "task_id": number,
            "action_status": status,
            "last_action_error": None,
            "result": result if status == 9 else {},
            "statuscode": 200,
        }

    # Categories

    def category_tree(self, **kw: Any) -> tuple[int, Any]:
        return 200, fixtures.category_tree()

    def category_branch(self, category_id: str, **kw: Any) -> tuple[int, Any]:
        def find(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
            for node in nodes:
                if node["category_id"] == int(category_id):
                    return node
                below = find(node["childrens"])
                if below is not None:
                    return below
            return None

        found = find(fixtures.category_tree())
        if found is None:
            return 404, v1_error("E404", "Category not found")
        return 200, found


ROUTES = [
    (re.compile(r"/ws/orders"), "GET", "list_orders"),
    (re.compile(r"/ws/orders/(\d+)"), "GET", "get_order"),
    (re.compile(r"/ws/orders/(\d+)"), "POST", "update_order"),
    (re.compile(r"/ws/orders/(\d+)/invoice"), "POST", "upload_invoice"),
    (re.compile(r"/ws/orderlines/(\d+)"), "PATCH", "update_orderline"),
    (re.compile(r"/ws/listings"), "GET", "list_listings"),
    (re.compile(r"/ws/listings"), "POST", "import_catalog"),
    (re.compile(r"/ws/listings/detail"), "GET", "listing_detail"),
    (re.compile(r"/ws/listings/([\w-]+)"), "GET", "get_listing"),
    (re.compile(r"/ws/listings/([\w-]+)"), "POST", "update_listing"),
    (re.compile(r"/ws/tasks/(\d+)"), "GET", "get_task"),
    (re.compile(r"/ws/category/tree"), "GET", "category_tree"),
    (re.compile(r"/ws/category/tree/(\d+)"), "GET", "category_branch"),
]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY the second
    # waits for the client's delayed ACK (about 40 ms on Linux).
    disable_nagle_algorithm = True
    api: LoopbackAPI

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        api = self.server.api  # type: ignore[attr-defined]
        api.log.append(Recorded(self.command, parts.path, query, headers, body))
        scripted = api.take_script(self.command, parts.path)
        if scripted is None or scripted.passthrough:
            status, extra, data = api.handle(
                self.command, parts.path, query, headers, body
            )
            if scripted is not None:
                time.sleep(scripted.delay)
                extra.update(scripted.headers)
            self._send(status, extra, data, None)
            return
        time.sleep(scripted.delay)
        if scripted.json is not None:
            data = json.dumps(scripted.json).encode()
            extra = {"Content-Type": JSON_TYPE}
        else:
            data = scripted.raw
            extra = {}
        extra.update(scripted.headers)
        self._send(scripted.status, extra, data, scripted.content_length)

    def _send(
        self, status: int, headers: dict[str, str], data: bytes, length: int | None
    ) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header(
                "Content-Length", str(len(data) if length is None else length)
            )
            if length is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout test), so no response is needed.
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class LoopbackServer:
    """Serve a :class:`LoopbackAPI` on 127.0.0.1 in a background thread."""

    def __init__(self, api: LoopbackAPI | None = None) -> None:
        self.api = api or LoopbackAPI()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.api = self.api  # type: ignore[attr-defined]
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.api.base_url = self.url
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def serve(api: LoopbackAPI | None = None) -> Iterator[LoopbackServer]:
    with LoopbackServer(api) as server:
        yield server


def main() -> None:
    """Serve until stdin closes; print the base URL first (used by bench/)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Serve the loopback test API.")
    parser.add_argument("--orders", type=int, default=3, help="seeded orders")
    parser.add_argument("--listings", type=int, default=3, help="seeded listings")
    parser.add_argument(
        "--varied", action="store_true", help="orders whose values all differ"
    )
    args = parser.parse_args()
    api = LoopbackAPI(orders=args.orders, listings=args.listings, varied=args.varied)
    with LoopbackServer(api) as srv:
        print(srv.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
