"""Grant operations: create, read, nearest neighbours, seed, re-index."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.embedding import embed
from app.models import Grant
from app.schemas import GrantCreate, GrantMatch

DEMO_GRANTS: tuple[GrantCreate, ...] = (
    GrantCreate(
        title="Solar Rooftops for SMEs",
        description="Funding for small businesses installing solar panels and batteries.",
        amount_eur=50_000,
    ),
    GrantCreate(
        title="Electric Fleet Transition",
        description="Replace diesel delivery vans and trucks with electric vehicles.",
        amount_eur=120_000,
    ),
    GrantCreate(
        title="Industrial Heat Pumps",
        description="Heat pumps and waste heat recovery for factories and industrial sites.",
        amount_eur=250_000,
    ),
    GrantCreate(
        title="Building Insulation Retrofit",
        description="Insulation, glazing and ventilation retrofits for office buildings.",
        amount_eur=80_000,
    ),
    GrantCreate(
        title="Regenerative Farming",
        description="Soil carbon, cover crops and hedgerows on farms and agricultural land.",
        amount_eur=30_000,
    ),
)


def create_grant(session: Session, data: GrantCreate) -> Grant:
    """Record a grant with its embedding."""
    grant = Grant(
        title=data.title,
        description=data.description,
        amount_eur=data.amount_eur,
        embedding=embed(f"{data.title}\n{data.description}"),
    )
    session.add(grant)
    session.flush()
    return grant


def find_grant(session: Session, grant_id: int) -> Grant | None:
    """The grant with this id, if any."""
    return session.get(Grant, grant_id)


def match_grants(session: Session, query: str, limit: int) -> list[GrantMatch]:
    """The grants nearest to a query text by cosine distance (pgvector's `<=>`)."""
    distance = Grant.embedding.cosine_distance(embed(query)).label("distance")
    rows = session.execute(
        select(Grant.id, Grant.title, distance).order_by(distance, Grant.id).limit(limit)
    )
    return [GrantMatch(id=row.id, title=row.title, distance=row.distance) for row in rows]


def seed_demo_grants(session: Session) -> int:
    """Add the demo grants that are missing (by title); how many were added."""
    existing = set(session.scalars(select(Grant.title)))
    missing = [grant for grant in DEMO_GRANTS if grant.title not in existing]
    for grant in missing:
        create_grant(session, grant)
    return len(missing)


def count_grants(session: Session) -> int:
    """How many grants are recorded."""
    return session.scalar(select(func.count()).select_from(Grant)) or 0


def reindex_all(session: Session) -> int:
    """Recompute every grant's embedding; how many were re-indexed."""
    grants = session.scalars(select(Grant).order_by(Grant.id)).all()
    for grant in grants:
        grant.embedding = embed(grant.text_for_embedding())
    return len(grants)
