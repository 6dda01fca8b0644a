"""What the local forge's pages (issues, pull requests, releases) share: their dependencies and
the listing window (state filter, page of 100)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.principals import Principal
from conveyor.server.ui.auth import Viewer, checked_form, viewer, writer

Looker = Annotated[Viewer, Depends(viewer)]
Writer = Annotated[Principal, Depends(writer)]
Form = Annotated[dict[str, str], Depends(checked_form)]
Repo = Annotated[Hosted, Depends(hosted)]
STATES = ("open", "closed", "all")
PAGE = 100


def window(state: str, page: int) -> tuple[str, int]:
    """A known state (else `open`) and a page number from 1."""
    return (state if state in STATES else "open"), max(page, 1)
