"""Validate sandbox responses against the published OpenAPI response schemas."""

from __future__ import annotations

import copy
import json
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


class SpecChecker:
    """Checks a response's status and body against one operation of the spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
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
        (faults and limits answer statuses that some operations leave out).
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


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if "json" not in response.headers.get("content-type", ""):
        return None
    return json.loads(response.content)


class NoSpecChecker:
    """Stands in when the spec is absent: returns the JSON body unchecked."""

    def __call__(
        self, response: httpx.Response, template: str, *, undeclared_ok: bool = False
    ) -> Any:
        return _json_or_none(response)
