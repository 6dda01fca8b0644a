"""The grants API, under /api/v1/grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import grants
from app.db import get_session
from app.schemas import GrantCreate, GrantMatch, GrantOut, SeedResult

router = APIRouter(prefix="/api/v1/grants", tags=["grants"])
# "function": the transaction commits before the response leaves, so a client that got 201
# can read what it wrote.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_grant(data: GrantCreate, session: SessionDep) -> GrantOut:
    """Record a grant; 409 when the title is taken."""
    try:
        with session.begin_nested():
            grant = grants.create_grant(session, data)
    except IntegrityError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "a grant with this title exists") from error
    return GrantOut.model_validate(grant)


@router.get("/match")
def match_grants(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, pattern=r"\w")],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[GrantMatch]:
    """The grants nearest to the query text, nearest first."""
    return grants.match_grants(session, q, limit)


@router.post("/seed")
def seed_grants(session: SessionDep) -> SeedResult:
    """Add the demo grants that are missing; running it again adds nothing."""
    created = grants.seed_demo_grants(session)
    return SeedResult(created=created, total=grants.count_grants(session))


@router.get("/{grant_id}")
def read_grant(grant_id: int, session: SessionDep) -> GrantOut:
    """One grant; 404 when there is none with this id."""
    grant = grants.find_grant(session, grant_id)
    if grant is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "grant not found")
    return GrantOut.model_validate(grant)
