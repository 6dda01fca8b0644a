"""Reading a JSON request body field by field, with GitHub's 422 Validation Failed for a field
that is missing or of the wrong kind; `answer()` is a JSON response with headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Body
from fastapi.responses import JSONResponse

from conveyor.server.forge_api.errors import validation_failed

JsonBody = Annotated[Any, Body()]


def fields_of(body: Any, resource: str) -> Mapping[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise validation_failed(resource, "body", "invalid")
    return body


def text(
    body: Mapping[str, Any], name: str, resource: str, *, required: bool = False
) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise validation_failed(resource, name)
        return None
    if not isinstance(value, str) or (required and not value):
        raise validation_failed(resource, name, "invalid")
    return value


def required_text(body: Mapping[str, Any], name: str, resource: str) -> str:
    """A field that must be a non-empty string (422 missing_field or invalid otherwise)."""
    value = text(body, name, resource, required=True)
    assert value is not None  # text() raised otherwise
    return value


def flag(body: Mapping[str, Any], name: str, resource: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise validation_failed(resource, name, "invalid")
    return value


def choice(
    body: Mapping[str, Any], name: str, resource: str, allowed: tuple[str, ...]
) -> str | None:
    value = text(body, name, resource)
    if value is not None and value not in allowed:
        raise validation_failed(resource, name, "invalid")
    return value


def names(value: Any, resource: str) -> list[str]:
    """Label names given as `["a", ...]`, `{"labels": [...]}` or `[{"name": "a"}, ...]`."""
    if isinstance(value, dict):
        value = value.get("labels", [])
    if not isinstance(value, list):
        raise validation_failed(resource, "labels", "invalid")
    found = [item.get("name") if isinstance(item, dict) else item for item in value]
    named = [name for name in found if isinstance(name, str) and name]
    if len(named) != len(found):
        raise validation_failed(resource, "labels", "invalid")
    return named


def answer(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(content, status, headers=dict(headers or {}))
