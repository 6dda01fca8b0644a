"""GitHub's pagination: `per_page` (default 30, at most 100) and `page` (from 1), and a `Link`
header with rel next, last, first and prev as they apply."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _number(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def paging(request: Request) -> Paging:
    """The request's page (a dependency); values out of range are brought into it."""
    per_page = _number(request.query_params.get("per_page"), DEFAULT_PER_PAGE)
    page = _number(request.query_params.get("page"), 1)
    return Paging(max(page, 1), min(max(per_page, 1), MAX_PER_PAGE))


def link_header(request: Request, paging: Paging, total: int) -> dict[str, str]:
    """`{"Link": ...}` for a listing of `total` items, or {} when it fits one page."""
    last = max((total + paging.per_page - 1) // paging.per_page, 1)
    pages: list[tuple[str, int]] = []
    if paging.page < last:
        pages += [("next", paging.page + 1), ("last", last)]
    if paging.page > 1:
        pages += [("first", 1), ("prev", min(paging.page - 1, last))]
    if not pages:
        return {}
    return {"Link": ", ".join(f'<{_url(request, p)}>; rel="{rel}"' for rel, p in pages)}


def _url(request: Request, page: int) -> str:
    query = dict(request.query_params) | {"page": str(page)}
    return f"{str(request.url).split('?', 1)[0]}?{urlencode(query)}"
