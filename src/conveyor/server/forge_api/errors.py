"""GitHub's error bodies: `{"message", "documentation_url"}`, and for 422 `errors`, a list of
`{"resource", "field", "code"}` (code: missing_field, invalid, already_exists, custom)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException

DOCUMENTATION_URL = "https://docs.github.com/rest"


def github_error_body(
    message: str, errors: list[dict[str, str]] | None = None
) -> dict[str, object]:
    body: dict[str, object] = {"message": message, "documentation_url": DOCUMENTATION_URL}
    if errors is not None:
        body["errors"] = errors
    return body


def github_error(
    status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> HTTPException:
    return HTTPException(status, github_error_body(message), headers=dict(headers or {}))


def not_found() -> HTTPException:
    return github_error(404, "Not Found")


def validation_failed(resource: str, field: str, code: str = "missing_field") -> HTTPException:
    """422 Validation Failed naming the resource, the field and what is wrong with it."""
    error = {"resource": resource, "field": field, "code": code}
    return HTTPException(422, github_error_body("Validation Failed", [error]))
