"""Validating a webhook payload conveyor builds against GitHub's own schema for the event
(`@octokit/openapi-webhooks`: `webhooks.<event>.post.requestBody`, `$ref`s into `components`).

    problems = webhook_problems("push", payload)   # [] when it validates
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.support.octokit import webhook_schemas

DOCUMENT = "urn:github:webhooks"


@functools.cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(webhook_schemas(), default_specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT, resource)


def webhook_problems(event: str, payload: object) -> list[str]:
    """Where `payload` breaks GitHub's schema of `event` (e.g. push, create, delete)."""
    pointer = f"{DOCUMENT}#/webhooks/{event}/post/requestBody/content/application~1json/schema"
    validator = Draft202012Validator({"$ref": pointer}, registry=_registry())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}"
        for error in validator.iter_errors(payload)
    ]
