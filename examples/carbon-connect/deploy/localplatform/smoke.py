"""The smoke test: /health of the live colour, then a vector query that must find its grant.

Seeds the demo data (POST /api/v1/grants/seed, idempotent), then asks
/api/v1/grants/match for the text of one seeded grant, which must come first. When the seed's
answer names no grant, the smoke test adds one of its own (POST /api/v1/grants; once per tag: a
409 says it is there) and asks for it.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from .bluegreen import get, live, request
from .environments import Environment
from .errors import PlatformError


def smoke(env: Environment) -> dict[str, Any]:
    current = live(env)
    if current is None:
        raise PlatformError(f"{env.name} has no live API (deploy one: platform.py deploy-api)")
    port = current["port"]
    status, health = get(port, "/health")
    if status != 200 or not isinstance(health, dict) or health.get("database") != "ok":
        raise PlatformError(f"smoke: /health of {current['colour']} answered {status} {health}")
    status, seeded = request(port, "POST", "/api/v1/grants/seed")
    if status not in (200, 201):
        raise PlatformError(f"smoke: POST /api/v1/grants/seed answered {status} {seeded}")
    title = _seeded_title(seeded) or _own_grant(port, current["tag"])
    query = urllib.parse.urlencode({"q": title, "limit": 3})
    status, matches = get(port, f"/api/v1/grants/match?{query}")
    if status != 200 or not isinstance(matches, list) or not matches:
        raise PlatformError(f"smoke: the vector query answered {status} {matches}")
    if matches[0].get("title") != title:
        raise PlatformError(f"smoke: asked for {title!r}, the nearest grant is {matches[0]}")
    return {
        "colour": current["colour"],
        "port": port,
        "tag": current["tag"],
        "version": health.get("version"),
        "query": title,
        "nearest": matches[0],
    }


def _seeded_title(answer: Any) -> str | None:
    """The first title in the seed's answer: a list, or {"grants"|"items"|"seeded": [...]}."""
    if isinstance(answer, dict):
        answer = next((answer[k] for k in ("grants", "items", "seeded") if k in answer), None)
    if isinstance(answer, list) and answer and isinstance(answer[0], dict):
        title = answer[0].get("title")
        return title if isinstance(title, str) and title else None
    return None


def _own_grant(port: int, tag: str) -> str:
    title = f"platform smoke probe {tag}"
    payload = {"title": title, "description": title}
    status, body = request(port, "POST", "/api/v1/grants", payload)
    if status not in (200, 201, 409):  # 409: there from an earlier smoke test
        raise PlatformError(f"smoke: POST /api/v1/grants answered {status} {body}")
    return title
