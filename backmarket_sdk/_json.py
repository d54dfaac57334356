"""Decoding of response bodies, with orjson where it is installed.

orjson decodes a page of 50 orders in about 40 % of the time of the
standard library (``python -m bench.sdk_overhead`` prints both). It is
stricter: it rejects NaN and Infinity, a byte order mark, encodings other
than UTF-8 and lone surrogates, all of which ``json`` accepts. A body that
orjson rejects is decoded again with ``json``, so it gives the same result.

One difference remains: orjson decodes an integer outside the 64-bit range
as a float. No field of the seller API contains one (ids fit in 64 bits and
amounts are strings). An integer field of a model given such a float raises
a parse error rather than taking a rounded value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - installed with the SDK on CPython
    orjson = None  # type: ignore[assignment]


def stdlib_loads(content: bytes) -> Any:
    """Decode with the standard library alone."""
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deeply to decode") from None


def orjson_loads(content: bytes) -> Any:
    """Decode with orjson, and with ``json`` any body that orjson rejects."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return stdlib_loads(content)


loads: Callable[[bytes], Any] = stdlib_loads if orjson is None else orjson_loads
"""Decode a JSON body. Raises ValueError when the body is not JSON."""

DECODER = "json" if orjson is None else f"orjson {orjson.__version__}"
"""The decoder in use, as benchmarks and bug reports name it."""
