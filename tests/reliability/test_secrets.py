"""The API token stays secret through a full, faulty cycle at debug level.

The cycle runs over real HTTP on loopback, recorded into a cassette, with
every logger at DEBUG, faults that make the SDK and the plugin raise, and a
token rotation. Neither the old nor the new token may then appear in a log
line, an exception, the cassette, the printed reports or any store row or
store file. A base URL outside Back Market's hosts needs an explicit opt-in,
so that a mistyped host never receives the token.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import vcr  # type: ignore[import-untyped]
from rich.console import Console

from backmarket_sdk import BackMarketClient, ClientConfig, errors
from backmarket_sdk.sandbox import RateLimits
from commercium_connector.backmarket.plugin import commercium_check_connection
from commercium_connector.host.report import render_cycle, render_status
from commercium_connector.host.store import schema
from commercium_connector.host.sync import CycleReport
from tests.reliability.shop import USER_AGENT, Shop
from tests.sdk.conftest import scrub_response
from tests.sdk.fixtures import TOKEN as SDK_TEST_TOKEN

REPOSITORY = Path(__file__).resolve().parents[2]
# An Authorization value; the sandbox's 401 message names the "<token>" form.
BASIC_VALUE = re.compile(r"Basic (?!<token>)\S")


class Capture(logging.Handler):
    """Keeps every record formatted, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(
            logging.Formatter("%(levelname)s %(name)s %(message)s %(args)s")
        )
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def _exception_text(error: BaseException) -> str:
    parts = traceback.format_exception(error)
    parts += [repr(error), repr(vars(error))]
    return "\n".join(parts)


def _store_text(shop: Shop) -> str:
    """Every row of every table, then the raw bytes of the store's files."""
    parts = []
    with shop.store.read() as conn:
        for table in schema.metadata.sorted_tables:
            parts += [repr(tuple(row)) for row in conn.execute(sa.select(table))]
    folder = shop.store_path.parent
    for file in folder.iterdir():
        parts.append(file.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def _reports(shop: Shop, reports: list[CycleReport]) -> str:
    console = Console(file=io.StringIO(), width=200, record=True)
    for report in reports:
        render_cycle(console, report)
    render_status(console, shop.store)
    return console.export_text()


def test_token_in_no_output(tmp_path: Path, capture: Capture) -> None:
    first = f"tok-{secrets.token_hex(12)}"
    second = f"tok-{secrets.token_hex(12)}"
    shop = Shop(tmp_path, token=first, limits=RateLimits().scaled(0.5))
    cassette = tmp_path / "cycle.yaml"
    reports: list[CycleReport] = []
    raised: list[BaseException] = []
    recorder = vcr.VCR(
        filter_headers=["authorization"], before_record_response=scrub_response
    )
    with (
        shop.sandbox.serve() as server,
        recorder.use_cassette(str(cassette), record_mode="all"),
    ):
        shop.connection = shop.connect(first, transport=None, base_url=server.url)
        shop.place_orders(3)
        reports.append(shop.cycle())
        shop.ship_accepted(2, "S")
        shop.set_host_values(2)
        shop.add_product()
        for kind in ("500", "waf_html", "malformed_json", "reset"):
            shop.sandbox.set_fault("/ws/*", kind, 2)
            reports.append(shop.cycle())
            shop.sandbox.clear_faults()
        # The seller changes the token: the next cycle meets a 401.
        shop.sandbox.token = second
        reports.append(shop.cycle())
        check = commercium_check_connection(shop.connection)
        assert check is not None and not check.ok
        with BackMarketClient(
            token=first, base_url=server.url, user_agent=USER_AGENT, max_retries=0
        ) as client:
            try:
                client.orders.get(1)
            except errors.AuthenticationError as error:
                raised.append(error)
        shop.connection = shop.connect(second, transport=None, base_url=server.url)
        reports.append(shop.cycle())
    assert not reports[-1].failed
    failures = [s.message for r in reports for s in r.failed]
    assert any("401" in m for m in failures) and any("500" in m for m in failures)

    outputs = {
        "log": "\n".join(capture.lines),
        "exceptions": "\n".join(_exception_text(e) for e in raised)
        + "\n".join(failures)
        + check.message,
        "cassette": cassette.read_text(encoding="utf-8"),
        "reports": _reports(shop, reports),
        "store": _store_text(shop),
        "sandbox log": repr(shop.sandbox.requests),
    }
    shop.close()
    assert not BASIC_VALUE.search(outputs["cassette"])
    assert "/ws/orders" in outputs["cassette"]
    assert len(capture.lines) > 100
    leaks = [
        f"{name} holds the {which} token"
        for name, text in outputs.items()
        for which, token in (("first", first), ("second", second))
        if token in text
    ]
    print(
        f"secrets: {len(outputs)} outputs searched ({len(capture.lines)} log "
        f"lines, {len(reports)} cycles), {len(leaks)} leaks"
    )
    assert leaks == []


def test_committed_cassettes_hold_no_token() -> None:
    files = sorted((REPOSITORY / "cassettes").glob("*.yaml"))
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    leaking = [
        n for n, t in texts.items() if SDK_TEST_TOKEN in t or BASIC_VALUE.search(t)
    ]
    print(f"secrets: {len(files)} committed cassettes searched")
    assert files and leaking == []


BAD_HOSTS = (
    "https://www.backrnarket.fr",  # rn for m
    "https://www.backmarket.fr.example.net",
    "https://backmarket.fr",
    "https://www.backmarket.fr@evil.example",
    "https://api.example.com",
    "http://www.backmarket.fr",  # plain http off loopback
)


@pytest.mark.parametrize("base_url", BAD_HOSTS)
def test_custom_host_needs_opt_in(base_url: str) -> None:
    token = f"tok-{secrets.token_hex(8)}"
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with pytest.raises(errors.ConfigurationError) as caught:
        BackMarketClient(
            token=token,
            base_url=base_url,
            user_agent=USER_AGENT,
            transport=httpx.MockTransport(record),
        )
    assert token not in _exception_text(caught.value)
    with pytest.raises(errors.ConfigurationError):
        ClientConfig.from_env(
            {
                "BACKMARKET_TOKEN": token,
                "BACKMARKET_BASE_URL": base_url,
                "BACKMARKET_USER_AGENT": USER_AGENT,
            }
        )
    assert sent == []
    print(f"custom host {base_url}: 2 ways of configuring it tried, both refused")


def test_opt_in_allows_custom_host() -> None:
    config = ClientConfig.create(
        token="tok-0123456789",
        base_url="https://bm-proxy.example.com",
        user_agent=USER_AGENT,
        allow_custom_host=True,
    )
    assert config.base_url == "https://bm-proxy.example.com"
    assert "tok-0123456789" not in repr(config)
    print("custom host with the opt-in: 1 case tried")


@pytest.mark.parametrize("base_url", BAD_HOSTS[:3])
def test_connection_refuses_typo_host(tmp_path: Path, base_url: str) -> None:
    shop = Shop(tmp_path)
    shop.connection = shop.connect(shop.token, transport=None, base_url=base_url)
    report = shop.cycle(["orders"])
    shop.close()
    [step] = report.steps
    assert step.outcome == "failed"
    assert "allow_custom_host" in step.message
    assert shop.token not in step.message
    assert shop.sandbox.requests == []
    print(f"connection to {base_url}: 1 cycle tried, no request sent")
