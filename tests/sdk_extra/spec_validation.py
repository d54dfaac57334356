"""Match recorded exchanges to operations of the spec and validate their bodies."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC_URI = "urn:backmarket-openapi-extra"
METHODS = ("get", "post", "put", "patch", "delete")
JSON_TYPES = ("application/json", "application/problem+json")


@dataclass(frozen=True)
class Exchange:
    """One request the SDK sent and the response it got."""

    method: str
    path: str
    status: int
    content_type: str
    body: bytes
    query: tuple[str, ...] = ()
    request_type: str = ""
    request_body: bytes = b""


class RecordingTransport(httpx.BaseTransport):
    """Wraps a transport and keeps every exchange, for validation after a test."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append(
            Exchange(
                request.method,
                request.url.path,
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
                tuple(key for key, _ in request.url.params.multi_items()),
                request.headers.get("content-type", ""),
                request.read(),
            )
        )
        return response

    def close(self) -> None:
        self.inner.close()


def _with_nulls(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 ``nullable: true`` as JSON Schema null types."""
    if isinstance(node, list):
        return [_with_nulls(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_nulls(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if "type" in out and "$ref" not in out:
            kind = out["type"]
            out["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _mend_slips(spec: dict[str, Any]) -> None:
    """Correct the slips of the spec that no real response could satisfy.

    The ``Backbox`` schema requires a ``current`` field it never declares,
    beside an optional ``currency``: ``currency`` is required instead.
    """
    backbox = spec.get("components", {}).get("schemas", {}).get("Backbox")
    if backbox and "current" in backbox.get("required", []):
        backbox["required"] = [
            "currency" if name == "current" else name for name in backbox["required"]
        ]


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class SpecValidator:
    """Finds the operation of an exchange and checks its body against the spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        converted = _with_nulls(copy.deepcopy(spec))
        _mend_slips(converted)
        resource = Resource(contents=converted, specification=DRAFT7)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self.templates: list[tuple[str, re.Pattern[str], str]] = []
        for template, item in spec["paths"].items():
            regex = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "/?$")
            for method in METHODS:
                if method in item:
                    self.templates.append((method.upper(), regex, template))
        # Fixed segments before templated ones, as a router would match them.
        self.templates.sort(key=lambda entry: entry[2].count("{"))

    def operation(self, method: str, path: str) -> str:
        """Return the path template of ``method path``; fail when none matches."""
        for candidate, regex, template in self.templates:
            if candidate == method and regex.match(path):
                return template
        raise AssertionError(f"{method} {path} is no operation of the spec")

    def validate(self, exchange: Exchange) -> str:
        """Validate one exchange and return its operation's path template.

        A success status must be declared by the operation; an error status is
        checked only when the operation declares it.
        """
        template = self.operation(exchange.method, exchange.path)
        operation = self.spec["paths"][template][exchange.method.lower()]
        status = str(exchange.status)
        declared = operation["responses"].get(status) or operation["responses"].get(
            f"{status[0]}XX"
        )
        if declared is None:
            assert exchange.status >= 400, (
                f"{exchange.method} {template} answered {status}, which the spec "
                f"does not declare: {exchange.body[:300]!r}"
            )
            return template
        content = declared.get("content") or {}
        media = exchange.content_type.split(";")[0].strip()
        if not content:
            assert not exchange.body.strip() or exchange.status >= 400, (
                f"{exchange.method} {template} {status} declares no body, got "
                f"{exchange.body[:200]!r}"
            )
            return template
        assert media in content, (
            f"{exchange.method} {template} {status} answered {media!r}, the spec "
            f"declares {sorted(content)}"
        )
        if media not in JSON_TYPES:
            return template
        pointer = _pointer(
            "paths",
            template,
            exchange.method.lower(),
            "responses",
            status if status in operation["responses"] else f"{status[0]}XX",
            "content",
            media,
            "schema",
        )
        validator = Draft7Validator(
            {"$ref": f"{SPEC_URI}#/{pointer}"}, registry=self.registry
        )
        body = json.loads(exchange.body)
        problems = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not problems, f"{exchange.method} {template} {status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in problems[:5]
        )
        return template

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def validate_request(self, exchange: Exchange) -> None:
        """Check query names and the body of a request against its operation."""
        template = self.operation(exchange.method, exchange.path)
        item = self.spec["paths"][template]
        operation = item[exchange.method.lower()]
        declared = {
            self._resolve(parameter)["name"]
            for parameter in [
                *item.get("parameters", []),
                *operation.get("parameters", []),
            ]
            if self._resolve(parameter).get("in") == "query"
        }

        unknown = set(exchange.query) - declared
        assert not unknown, (
            f"{exchange.method} {template} sent undeclared query {unknown}"
        )

        body_spec = operation.get("requestBody")
        if body_spec is None:
            assert not exchange.request_body, (
                f"{exchange.method} {template} sent a body"
            )
            return

        content = self._resolve(body_spec)["content"]
        media = exchange.request_type.split(";")[0].strip()
        assert media in content, (
            f"{exchange.method} {template} sent {media!r}, "
            f"the spec takes {sorted(content)}"
        )

        schema = self._resolve(content[media]["schema"])
        if media == "application/json":
            pointer = _pointer(
                "paths",
                template,
                exchange.method.lower(),
                "requestBody",
                "content",
                media,
                "schema",
            )
            if "$ref" in body_spec:
                return
            validator = Draft7Validator(
                {"$ref": f"{SPEC_URI}#/{pointer}"}, registry=self.registry
            )
            problems = list(validator.iter_errors(json.loads(exchange.request_body)))
            assert not problems, f"{exchange.method} {template} request: " + "; ".join(
                f"{list(e.path)}: {e.message}" for e in problems[:5]
            )
            return

        names = set(re.findall(rb'form-data; name="([^"]+)"', exchange.request_body))
        allowed = {name.encode() for name in schema.get("properties", {})}
        assert names <= allowed, (
            f"{exchange.method} {template} sent form fields {names - allowed}"
        )
        required = {name.encode() for name in schema.get("required", [])}
        # A required array may be empty, and an empty array sends no part.
        arrays = {
            name.encode()
            for name, prop in schema.get("properties", {}).items()
            if self._resolve(prop).get("type") == "array"
        }
        assert required - arrays <= names, (
            f"{exchange.method} {template} left out form fields {required - names}"
        )

    def validate_all(self, exchanges: list[Exchange]) -> set[tuple[str, str]]:
        """Validate every exchange; return the (method, template) pairs seen."""
        for exchange in exchanges:
            self.validate_request(exchange)
        return {(e.method, self.validate(e)) for e in exchanges}
