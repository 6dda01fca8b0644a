"""The API's request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class GrantCreate(BaseModel):
    """A grant to record."""

    title: str = Field(min_length=1, max_length=200, pattern=r"\w")
    description: str = Field(min_length=1)
    amount_eur: int | None = Field(default=None, ge=0)


class GrantOut(BaseModel):
    """A recorded grant."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    amount_eur: int | None
    created_at: datetime


class GrantMatch(BaseModel):
    """A grant near a query, with its cosine distance (0 = same direction)."""

    id: int
    title: str
    distance: float


class SeedResult(BaseModel):
    """What the seed endpoint did."""

    created: int
    total: int


class Health(BaseModel):
    """The service's health."""

    status: str
    database: str
    version: str
