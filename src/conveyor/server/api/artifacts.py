"""A run's artifacts (`CONVEYOR_HOME/runs/<run>/artifacts/<name>/`, written by upload-artifact):
the list, and each as a zip (`GET .../artifacts/{name}/zip`). Symbolic links are left out, so a
download never reaches outside the artifact's directory."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse

from conveyor.server.api.runs import Context, Reader
from conveyor.server.api.schemas import Artifact, ArtifactList
from conveyor.server.errors import ERRORS
from conveyor.server.run_lookup import run_or_404

router = APIRouter(prefix="/api/v1", tags=["artifacts"], responses=ERRORS)
CHUNK = 1 << 16


def artifacts_dir(home: Path, run_id: int) -> Path:
    return home / "runs" / str(run_id) / "artifacts"


def artifact_files(directory: Path) -> Iterator[Path]:
    """The regular files under `directory`, never following a symbolic link."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not Path(root, d).is_symlink())
        for name in sorted(files):
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                yield path


@router.get("/runs/{run_id}/artifacts", response_model=ArtifactList)
def list_artifacts(run_id: int, _: Reader, ctx: Context) -> ArtifactList:
    run_or_404(ctx, run_id)
    base = artifacts_dir(ctx.home, run_id)
    found = []
    for directory in sorted(base.iterdir()) if base.is_dir() else []:
        if directory.is_dir() and not directory.is_symlink():
            files = list(artifact_files(directory))
            size = sum(path.stat().st_size for path in files)
            found.append(Artifact(name=directory.name, size=size, files=len(files)))
    return ArtifactList(artifacts=found)


@router.get(
    "/runs/{run_id}/artifacts/{name}/zip",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The files, zipped."}},
)
def download_artifact(run_id: int, name: str, _: Reader, ctx: Context) -> StreamingResponse:
    run_or_404(ctx, run_id)
    directory = artifacts_dir(ctx.home, run_id) / name
    if name in (".", "..") or "/" in name or not directory.is_dir() or directory.is_symlink():
        raise HTTPException(404, f"run {run_id} has no artifact {name!r}")
    spool = zipped(directory)
    disposition = f"attachment; filename*=UTF-8''{_quoted(name)}.zip"
    return StreamingResponse(
        _chunks(spool), media_type="application/zip", headers={"Content-Disposition": disposition}
    )


def zipped(directory: Path) -> IO[bytes]:
    """The directory's files as a zip, in a temporary file (the caller closes it)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _chunks once sent
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in artifact_files(directory):
            archive.write(path, path.relative_to(directory).as_posix())
    spool.seek(0)
    return spool


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _chunks(spool: object) -> Iterator[bytes]:
    assert hasattr(spool, "read")
    assert hasattr(spool, "close")
    try:
        while data := spool.read(CHUNK):
            yield data
    finally:
        spool.close()
