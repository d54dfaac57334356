"""``backmarket catalog import`` rejects a malformed CSV before sending it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from backmarket_sdk.cli import main
from backmarket_sdk.sandbox import Sandbox

USER_AGENT = "BM-Acme-Support;ops@acme.example"


@pytest.fixture
def account() -> Iterator[tuple[Sandbox, dict[str, str]]]:
    """Yield a sandbox on 127.0.0.1 and the environment pointing at it."""
    sandbox = Sandbox(seed=7)
    with sandbox.serve("127.0.0.1", 0) as server:
        yield (
            sandbox,
            {
                "BACKMARKET_TOKEN": sandbox.token,
                "BACKMARKET_MARKET": "fr-fr",
                "BACKMARKET_USER_AGENT": USER_AGENT,
                "BACKMARKET_BASE_URL": server.url,
            },
        )


def import_file(
    tmp_path: Path, text: str, environ: dict[str, str], *options: str
) -> int:
    path = tmp_path / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    console = Console(file=io.StringIO(), width=200)
    argv = ["catalog", "import", str(path), "--no-wait", *options]
    return main(argv, environ=environ, console=console)


def catalog_posts(sandbox: Sandbox) -> int:
    return sum(
        1 for r in sandbox.requests if r.method == "POST" and r.path == "/ws/listings"
    )


def test_stray_quote_rejected(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    before = {sku: sandbox.listing(sku)["quantity"] for sku in sandbox.skus[:3]}
    text = (
        "sku,quantity,comment\n"
        'IP12-64GB-WHI-EX,1,"27 inch\n'
        "IP12-64GB-BLU-EX,0,sold out\n"
        "IP12-64GB-BLA-EX,0,sold out\n"
    )
    status = import_file(tmp_path, text, environ)
    err = capsys.readouterr().err
    assert status == 2
    assert "line 2" in err
    assert "malformed quoting" in err
    assert "Close the quote" in err
    assert catalog_posts(sandbox) == 0
    after = {sku: sandbox.listing(sku)["quantity"] for sku in sandbox.skus[:3]}
    assert after == before


def test_stray_quote_closed_later(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    text = 'sku,quantity,comment\nA,1,"27 inch\nB,0,"sold out"\n'
    status = import_file(tmp_path, text, environ)
    assert status == 2
    assert "malformed quoting" in capsys.readouterr().err
    assert catalog_posts(sandbox) == 0


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("quantity", 'sku,quantity,price\nA,"3\nB",4\nC,1,2\n'),
        ("price", 'sku,quantity,price\nA,3,"299.90\nB,4,289.90"\n'),
        ("sku", 'sku,quantity\nC,1\n"A\nB",1\n'),
    ],
)
def test_line_break_in_single_line_column(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    column: str,
    text: str,
) -> None:
    sandbox, environ = account
    status = import_file(tmp_path, text, environ)
    err = capsys.readouterr().err
    assert status == 2
    assert f"the '{column}' value" in err
    assert "spans several lines" in err
    assert catalog_posts(sandbox) == 0


def test_line_break_in_comment_sent(
    tmp_path: Path, account: tuple[Sandbox, dict[str, str]]
) -> None:
    sandbox, environ = account
    text = 'sku,quantity,comment\nIP12-64GB-BLA-EX,1,"line one\nline two"\n'
    assert import_file(tmp_path, text, environ) == 0
    assert catalog_posts(sandbox) == 1


def test_line_number_of_later_row(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, environ = account
    text = 'sku,quantity,comment\nA,1,"two\nlines"\nB,2,ok\nC,"3\n'
    assert import_file(tmp_path, text, environ) == 2
    assert "line 5" in capsys.readouterr().err


def test_short_row_rejected(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    status = import_file(tmp_path, "sku,quantity,price\nA,3\n", environ)
    assert status == 2
    assert "line 2: 2 values where the header has 3" in capsys.readouterr().err
    assert catalog_posts(sandbox) == 0


def test_repeated_column_rejected(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    status = import_file(tmp_path, "sku,quantity,quantity\nA,3,0\n", environ)
    assert status == 2
    assert "repeats the column 'quantity'" in capsys.readouterr().err
    assert catalog_posts(sandbox) == 0


def test_oversized_value_rejected(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox, environ = account
    text = "sku,comment\nA," + "x" * 200_000 + "\n"
    assert import_file(tmp_path, text, environ) == 2
    err = capsys.readouterr().err
    assert "longer than 131072 characters" in err
    assert "malformed quoting" not in err
    assert catalog_posts(sandbox) == 0


def test_blank_lines_skipped(
    tmp_path: Path, account: tuple[Sandbox, dict[str, str]]
) -> None:
    sandbox, environ = account
    text = "sku,quantity\n\nIP12-64GB-BLA-EX,2\n\n"
    assert import_file(tmp_path, text, environ) == 0
    assert catalog_posts(sandbox) == 1


def test_empty_file_rejected(
    tmp_path: Path,
    account: tuple[Sandbox, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, environ = account
    assert import_file(tmp_path, "", environ) == 2
    assert "the file is empty" in capsys.readouterr().err
