"""Check an HTTP exchange against GitHub's REST API description (@octokit/openapi, loaded by
tests/support/octokit.py): find the operation by path template and method, require the status
to be one the operation lists, and validate the JSON body against that response's schema with
jsonschema, `$ref`s resolved into the description's components.

GitHub answers 400 (a body that is not JSON), 401 (no or bad credentials), 403 (a token
without the permission), 404 (no such repository or object) and 422 (Validation Failed) on every
operation, though the description lists them on few: those are accepted everywhere, with the
`basic-error` (422: `validation-error`) body.

The description is OpenAPI 3.0 (`nullable: true`); it is turned into JSON Schema once
(`nullable` becomes `anyOf [..., null]`).

    conformance_problem("GET", "/repos/o/r/issues/1", 200, body)  # None, or what is wrong
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.support.octokit import rest_description

_ANYWHERE = {
    400: "#/components/schemas/basic-error",
    401: "#/components/schemas/basic-error",
    403: "#/components/schemas/basic-error",
    404: "#/components/schemas/basic-error",
    422: "#/components/schemas/validation-error",
}


@functools.cache
def _document() -> dict[str, Any]:
    return dict(_json_schema(rest_description()))


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for template in _document()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        found.append((re.compile(f"^{pattern}$"), template))
    # literal segments win over parameters (/releases/latest over /releases/{id})
    found.sort(key=lambda pair: pair[1].count("{"))
    return found


def operation(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """(template, operation) of `path` (without /api/v3) and `method`, or None."""
    for pattern, template in _templates():
        if pattern.match(path):
            found = _document()["paths"][template].get(method.lower())
            if found is not None:
                return template, found
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, kind, name = node["$ref"].removeprefix("#/").split("/")
        node = _document()[section][kind][name]
    return node


def conformance_problem(method: str, path: str, status: int, body: Any) -> str | None:
    """What is wrong with the response, or None when GitHub's description allows it."""
    found = operation(method, path)
    if found is None:
        return f"{method} {path}: no such operation in GitHub's REST API"
    template, spec = found
    responses = spec["responses"]
    if str(status) not in responses and status in _ANYWHERE:
        return _schema_problem({"$ref": _ANYWHERE[status]}, body, f"{template} {status}")
    if str(status) not in responses:
        return f"{method} {template}: status {status} is not one of {sorted(responses)}"
    content = _resolve(responses[str(status)]).get("content", {}).get("application/json")
    if content is None or "schema" not in content:
        return None if body is None else f"{method} {template} {status}: a body where none is"
    return _schema_problem(content["schema"], body, f"{method} {template} {status}")


def _schema_problem(schema: dict[str, Any], body: Any, where: str) -> str | None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:github", Resource.from_contents(_document(), default_specification=DRAFT7)
    )
    wrapped = (
        {"$ref": "urn:github#/" + schema["$ref"].removeprefix("#/")}
        if "$ref" in schema
        else _rebased(schema)
    )
    validator = jsonschema.Draft7Validator(wrapped, registry=registry)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    shown = "; ".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5])
    return f"{where}: {shown}"


def _rebased(node: Any) -> Any:
    """An inline schema whose `$ref`s point into the registered document."""
    if isinstance(node, list):
        return [_rebased(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: ("urn:github#/" + value.removeprefix("#/") if key == "$ref" else _rebased(value))
        for key, value in node.items()
    }


def webhook_problem(name: str, action: str, payload: Any) -> str | None:
    """What is wrong with a webhook payload of `name` (pull_request) and `action` (opened) by
    GitHub's webhook schemas (@octokit/openapi-webhooks, OpenAPI 3.1: JSON Schema 2020-12)."""
    from referencing.jsonschema import DRAFT202012

    from tests.support.octokit import webhook_schemas

    document = webhook_schemas()
    key = f"{name.replace('_', '-')}-{action.replace('_', '-')}"
    if key not in document["webhooks"]:
        return f"GitHub has no {key} webhook"
    body = document["webhooks"][key]["post"]["requestBody"]["content"]["application/json"]
    registry: Registry[Any] = Registry().with_resource(
        "urn:webhooks", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    schema = {"$ref": "urn:webhooks#/" + body["schema"]["$ref"].removeprefix("#/")}
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    shown = "; ".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5])
    return f"{key}: {shown}"
