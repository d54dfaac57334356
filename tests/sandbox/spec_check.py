"""Validate sandbox responses against the published OpenAPI response schemas."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import httpx
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC_URI = "urn:backmarket-openapi"


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


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _template_patterns(spec: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    # Literal segments win over parameters: /ws/listings/detail before
    # /ws/listings/{listingId}.
    for template in sorted(spec["paths"], key=lambda t: (t.count("{"), t)):
        regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "/?$"
        patterns.append((re.compile(regex), template))
    return patterns


class SpecChecker:
    """Checks a response's status and body against one operation of the spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.templates = _template_patterns(spec)
        converted = _with_nulls(copy.deepcopy(spec))
        resource = Resource(contents=converted, specification=DRAFT7)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[str, Draft7Validator] = {}

    def __call__(
        self,
        response: httpx.Response,
        template: str,
        *,
        undeclared_ok: bool = False,
    ) -> Any:
        """Validate ``response`` for the operation at ``template``; return its JSON.

        A status the operation does not declare fails unless ``undeclared_ok``
        (faults and limits send statuses that some operations leave out).
        """
        method = response.request.method.lower()
        operation = self.spec["paths"][template][method]
        status = str(response.status_code)
        declared = operation["responses"].get(status)
        body = _json_or_none(response)
        if declared is None:
            assert undeclared_ok, (
                f"{method.upper()} {template} answered {status}, which the spec "
                f"does not declare: {response.text[:300]}"
            )
            return body
        content = declared.get("content", {}).get("application/json")
        if content is None:
            return body
        assert response.headers["content-type"].startswith("application/json")
        pointer = _pointer(
            "paths",
            template,
            method,
            "responses",
            status,
            "content",
            "application/json",
            "schema",
        )
        validator = self._validators.get(pointer)
        if validator is None:
            schema = {"$ref": f"{SPEC_URI}#/{pointer}"}
            validator = Draft7Validator(schema, registry=self.registry)
            self._validators[pointer] = validator
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not errors, "\n".join(
            f"{list(e.path)}: {e.message}" for e in errors[:10]
        )
        return body

    def template_for(self, path: str) -> str | None:
        """Return the spec path template matching ``path``, or None."""
        for pattern, template in self.templates:
            if pattern.match(path):
                return template
        return None

    def hook(self, response: httpx.Response) -> None:
        """Validate every response of a client (an httpx response event hook).

        A status that the operation declares must match its schema. Any other
        status must carry a V1 error envelope or be an HTML page from the
        edge (WAF block, gateway error), as faults and limits produce.
        """
        response.read()
        path = response.request.url.path
        template = self.template_for(path)
        if template is None or path.startswith("/_sandbox"):
            return
        operation = self.spec["paths"][template].get(response.request.method.lower())
        if operation is None or not response.content:
            return
        if response.headers.get("content-type", "").startswith("text/html"):
            # The edge's pages (WAF block, gateway errors) are outside the spec.
            assert response.status_code in (403, 502, 504), response.status_code
            assert "cf-ray" in response.headers
            return
        try:
            body = json.loads(response.content)
        except ValueError:
            return  # malformed or truncated JSON, produced on purpose by a fault
        if str(response.status_code) in operation["responses"]:
            self(response, template)
            return
        _assert_v1_envelope(body)


def _assert_v1_envelope(body: Any) -> None:
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), dict), body
    assert set(body["error"]) >= {"code", "message"}, body
    assert isinstance(body.get("requestId"), str), body


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if "json" not in response.headers.get("content-type", ""):
        return None
    return json.loads(response.content)


class NoSpecChecker:
    """Stands in when the spec is absent: returns the JSON body unchecked."""

    def hook(self, response: httpx.Response) -> None:
        """Accept every response: without the spec there is nothing to check."""

    def __call__(
        self, response: httpx.Response, template: str, *, undeclared_ok: bool = False
    ) -> Any:
        return _json_or_none(response)
