"""The API: health and grants, over psycopg and pgvector's `<=>` (cosine distance)."""

import os
from typing import Any

import psycopg
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.embedding import embed, literal

app = FastAPI()
SEED = [
    ("Solar panels for community buildings", "Photovoltaic roofs on schools and town halls"),
    ("Electric delivery fleets", "Replacing diesel vans with electric vehicles"),
    ("Peatland restoration", "Rewetting drained peat to store carbon"),
]


class GrantIn(BaseModel):
    title: str
    description: str
    amount_eur: float | None = None


def connect() -> psycopg.Connection[Any]:
    url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, connect_timeout=3, autocommit=True)


@app.get("/health")
def health() -> JSONResponse:
    version = os.environ.get("APP_VERSION", "dev")
    try:
        with connect() as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        body = {"status": "error", "database": "error", "version": version}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": version})


def insert(connection: psycopg.Connection[Any], grant: GrantIn) -> int:
    vector = literal(embed(f"{grant.title} {grant.description}"))
    row = connection.execute(
        "INSERT INTO grants (title, description, amount_eur, embedding)"
        " VALUES (%s, %s, %s, %s::vector) RETURNING id",
        (grant.title, grant.description, grant.amount_eur, vector),
    ).fetchone()
    assert row is not None
    return int(row[0])


@app.post("/api/v1/grants", status_code=201)
def create(grant: GrantIn) -> dict[str, Any]:
    with connect() as connection:
        return {"id": insert(connection, grant), "title": grant.title}


@app.post("/api/v1/grants/seed")
def seed() -> list[dict[str, Any]]:
    seeded = []
    with connect() as connection:
        for title, description in SEED:
            row = connection.execute("SELECT id FROM grants WHERE title = %s", (title,)).fetchone()
            grant_id = row[0] if row else insert(connection, GrantIn(title=title, description=description))
            seeded.append({"id": grant_id, "title": title})
    return seeded


@app.get("/api/v1/grants/match")
def match(q: str, limit: int = 5) -> list[dict[str, Any]]:
    with connect() as connection:
        rows = connection.execute(
            "SELECT id, title, embedding <=> %s::vector AS distance FROM grants"
            " ORDER BY distance LIMIT %s",
            (literal(embed(q)), limit),
        ).fetchall()
    return [{"id": row[0], "title": row[1], "distance": float(row[2])} for row in rows]


@app.get("/api/v1/grants/{grant_id}")
def read(grant_id: int) -> dict[str, Any]:
    with connect() as connection:
        row = connection.execute(
            "SELECT id, title, description FROM grants WHERE id = %s", (grant_id,)
        ).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="no such grant")
    return {"id": row[0], "title": row[1], "description": row[2]}
