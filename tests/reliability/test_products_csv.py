"""Cases the generated files found in the host's products CSV import."""

from __future__ import annotations

from pathlib import Path

import pytest

from commercium_connector.host.csv_import import CsvImportError, import_products
from commercium_connector.host.store import Store


def test_huge_quantity_rejected(tmp_path: Path) -> None:
    # SQLite raised OverflowError, a traceback instead of a listed problem.
    path = tmp_path / "products.csv"
    path.write_text("sku,quantity\nA,1010101010101010101010\nB,5\n", encoding="utf-8")
    with Store.open(tmp_path / "store.sqlite") as store:
        with pytest.raises(CsvImportError, match="line 2, column quantity"):
            import_products(store, path)
        path.write_text("sku,quantity\nA,2147483647\n", encoding="utf-8")
        assert import_products(store, path).products_added == 1
    print("products CSV huge quantity: 2 cases tried")
