"""The FastAPI application: `uvicorn app.main:app`."""

from __future__ import annotations

from fastapi import FastAPI, Response, status

from app.api import router as grants_router
from app.config import load_settings
from app.db import current_engine, database_answers
from app.schemas import Health


def create_app() -> FastAPI:
    """The API with its routes."""
    application = FastAPI(title="Carbon Connect", version=load_settings().app_version)
    application.include_router(grants_router)
    application.add_api_route("/health", health, methods=["GET"])
    return application


def health(response: Response) -> Health:
    """200 when the database answers, 503 otherwise."""
    database_ok = database_answers(current_engine())
    if not database_ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="ok" if database_ok else "degraded",
        database="ok" if database_ok else "error",
        version=load_settings().app_version,
    )


app = create_app()
