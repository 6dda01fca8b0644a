"""`GET /ui/static/{name}`: the UI's few static files (package data), by exact name only."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

_TYPES = {
    "style.css": "text/css; charset=utf-8",
    "htmx.min.js": "text/javascript; charset=utf-8",
    "ui.js": "text/javascript; charset=utf-8",
    "htmx.LICENSE": "text/plain; charset=utf-8",
}


@cache
def _content(name: str) -> bytes:
    return resources.files("conveyor.server.ui").joinpath("static", name).read_bytes()


@router.get("/ui/static/{name}")
def static_file(name: str) -> Response:
    if name not in _TYPES:
        raise HTTPException(404, f"no static file {name!r}")
    return Response(
        _content(name), media_type=_TYPES[name], headers={"Cache-Control": "public, max-age=3600"}
    )
