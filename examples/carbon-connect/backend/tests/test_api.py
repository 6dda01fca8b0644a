"""The grants API against the real PostgreSQL with pgvector."""

from __future__ import annotations

from fastapi.testclient import TestClient


def create(client: TestClient, title: str, description: str) -> int:
    response = client.post(
        "/api/v1/grants", json={"title": title, "description": description, "amount_eur": 1000}
    )
    assert response.status_code == 201, response.text
    grant_id: int = response.json()["id"]
    return grant_id


def test_create_then_read_a_grant(client: TestClient) -> None:
    grant_id = create(client, "Green Roofs", "Planted roofs that insulate buildings")
    response = client.get(f"/api/v1/grants/{grant_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Green Roofs"
    assert body["amount_eur"] == 1000
    assert "embedding" not in body


def test_amount_is_optional(client: TestClient) -> None:
    response = client.post("/api/v1/grants", json={"title": "Bikes", "description": "Cargo bikes"})
    assert response.status_code == 201
    assert response.json()["amount_eur"] is None


def test_a_duplicate_title_is_a_conflict(client: TestClient) -> None:
    create(client, "Wind", "Small wind turbines")
    response = client.post("/api/v1/grants", json={"title": "Wind", "description": "again"})
    assert response.status_code == 409
    assert client.post("/api/v1/grants/seed").json()["total"] == 6


def test_an_unknown_grant_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/grants/999").status_code == 404


def test_invalid_bodies_are_422(client: TestClient) -> None:
    assert client.post("/api/v1/grants", json={"title": "", "description": "x"}).status_code == 422
    negative = {"title": "T", "description": "x", "amount_eur": -1}
    assert client.post("/api/v1/grants", json=negative).status_code == 422


def test_match_returns_nearest_first_by_cosine_distance(client: TestClient) -> None:
    vans = create(client, "Electric Vans", "electric delivery vans")
    farms = create(client, "Farms", "soil carbon on farms and hedgerows")
    response = client.get("/api/v1/grants/match", params={"q": "electric vans", "limit": 2})
    assert response.status_code == 200
    matches = response.json()
    assert [match["id"] for match in matches] == [vans, farms]
    assert matches[0]["distance"] < matches[1]["distance"]
    assert set(matches[0]) == {"id", "title", "distance"}


def test_match_limit_and_query_are_validated(client: TestClient) -> None:
    create(client, "A grant", "some text")
    assert len(client.get("/api/v1/grants/match", params={"q": "text", "limit": 1}).json()) == 1
    assert client.get("/api/v1/grants/match", params={"q": "x", "limit": 0}).status_code == 422
    assert client.get("/api/v1/grants/match", params={"q": "?!"}).status_code == 422
    assert client.get("/api/v1/grants/match").status_code == 422


def test_seed_is_idempotent_and_feeds_the_vector_search(client: TestClient) -> None:
    first = client.post("/api/v1/grants/seed")
    assert first.status_code == 200
    assert first.json() == {"created": 5, "total": 5}
    assert client.post("/api/v1/grants/seed").json() == {"created": 0, "total": 5}
    best = client.get("/api/v1/grants/match", params={"q": "solar panels", "limit": 1}).json()
    assert best[0]["title"] == "Solar Rooftops for SMEs"
