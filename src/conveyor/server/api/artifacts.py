"""A run's artifacts (`CONVEYOR_HOME/runs/<run>/artifacts/<name>/`, written by upload-artifact):
the list, and each as a zip (`GET .../artifacts/{name}/zip`); server/run_artifacts.py reads them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from conveyor.server.api.runs import Context, Reader
from conveyor.server.api.schemas import Artifact, ArtifactList
from conveyor.server.errors import ERRORS
from conveyor.server.run_artifacts import (
    artifact_directory,
    run_artifacts,
    zip_response,
    zipped,
)
from conveyor.server.run_lookup import run_or_404

router = APIRouter(prefix="/api/v1", tags=["artifacts"], responses=ERRORS)


@router.get("/runs/{run_id}/artifacts", response_model=ArtifactList)
def list_artifacts(run_id: int, _: Reader, ctx: Context) -> ArtifactList:
    run_or_404(ctx, run_id)
    found = run_artifacts(ctx.home, run_id)
    return ArtifactList(
        artifacts=[Artifact(name=a.name, size=a.size, files=a.files) for a in found]
    )


@router.get(
    "/runs/{run_id}/artifacts/{name}/zip",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The files, zipped."}},
)
def download_artifact(run_id: int, name: str, _: Reader, ctx: Context) -> StreamingResponse:
    run_or_404(ctx, run_id)
    directory = artifact_directory(ctx.home, run_id, name)
    if directory is None:
        raise HTTPException(404, f"run {run_id} has no artifact {name!r}")
    return zip_response(zipped(directory), name)
