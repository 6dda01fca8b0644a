"""A claimed job's artifacts and caches, stored in the server's store through the API, with the
job's per-job token (docs/workers.md): a job on a worker uploads what a later job, on any
worker, downloads, and the server's API and pages list them.

    GET  /api/v1/worker-jobs/{id}/artifacts               the run's artifact names
    GET  /api/v1/worker-jobs/{id}/artifacts/{name}        one artifact's files, as a tar
    PUT  /api/v1/worker-jobs/{id}/artifacts/{name}        store one (a tar); ?overwrite=true
    GET  /api/v1/worker-jobs/{id}/cache?version=&key=&restore=...   a cache's archive (404: a
                                                          miss); `X-Conveyor-Cache-Key`: the key
                                                          matched (percent-encoded)
    PUT  /api/v1/worker-jobs/{id}/cache?version=&key=     store a cache's archive (409: exists)

Artifacts land in CONVEYOR_HOME/runs/<run>/artifacts/<name>/ (as upload-artifact puts them),
caches in the server's cache store of the job's repository (CONVEYOR_HOME/caches/...). Uploads
are streamed to a private file, refused past `MAX_UPLOAD_BYTES` (413); an artifact's archive
holding anything but plain relative files and folders (`..`, an absolute name, a link) is
refused (400) before anything of it is extracted; files are private (0600, folders 0700).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from conveyor.actions.cache_store import CacheStore
from conveyor.distributed.file_archives import ArchiveRefused, chunks, pack, unpack
from conveyor.engine.ports.workers import HeldJob
from conveyor.private_files import open_private, private_directory
from conveyor.server.api.runs import Context
from conveyor.server.api.workers import Hub, JobToken, held_or_401
from conveyor.server.errors import ERRORS
from conveyor.server.run_artifacts import artifacts_dir

router = APIRouter(prefix="/api/v1", tags=["workers"], responses=ERRORS)
MAX_UPLOAD_BYTES = 10 * 2**30  # one artifact or cache archive
KEY_HEADER = "X-Conveyor-Cache-Key"
Key = Annotated[str, Query(min_length=1, max_length=512)]
Version = Annotated[str, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")]


def _job(hub: Hub, job_id: int, token: str) -> HeldJob:
    found: HeldJob = held_or_401(hub.held_job(job_id, token) if 0 < job_id < 2**63 else None)
    return found


def _artifact(ctx: Context, held: HeldJob, name: str) -> Path:
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise HTTPException(400, f"{name!r} is not a valid artifact name")
    return artifacts_dir(ctx.home, int(held.run_id)) / name


@router.get("/worker-jobs/{job_id}/artifacts")
def artifact_names(job_id: int, token: JobToken, hub: Hub, ctx: Context) -> dict[str, list[str]]:
    base = artifacts_dir(ctx.home, int(_job(hub, job_id, token).run_id))
    found = sorted(p.name for p in base.iterdir() if _listed(p)) if base.is_dir() else []
    return {"artifacts": found}


def _listed(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not path.name.startswith(".")


@router.get("/worker-jobs/{job_id}/artifacts/{name}", response_class=StreamingResponse)
def download(job_id: int, name: str, token: JobToken, hub: Hub, ctx: Context) -> StreamingResponse:
    directory = _artifact(ctx, _job(hub, job_id, token), name)
    if not directory.is_dir() or directory.is_symlink():
        raise HTTPException(404, f"the run has no artifact {name!r}")
    spool = Path(tempfile.mkdtemp(prefix="conveyor-artifact-")) / "archive.tar"
    pack(directory, spool)
    return StreamingResponse(_sent(spool), media_type="application/x-tar")


def _sent(spool: Path) -> Iterator[bytes]:
    try:
        yield from chunks(spool)
    finally:
        spool.unlink(missing_ok=True)
        spool.parent.rmdir()


@router.put("/worker-jobs/{job_id}/artifacts/{name}")
async def upload(
    job_id: int, name: str, request: Request, token: JobToken, hub: Hub, ctx: Context,
    overwrite: bool = False,
) -> dict[str, int]:  # fmt: skip
    """Stores the artifact `name` of the job's run (409: it exists and `overwrite` is not set)."""
    held = await run_in_threadpool(_job, hub, job_id, token)
    target = _artifact(ctx, held, name)
    if target.exists() and not overwrite:
        raise HTTPException(409, f"an artifact named {name!r} already exists in this run")
    private_directory(target.parent)
    received = target.parent / f".{uuid.uuid4().hex}.upload"
    try:
        await _receive(request, received)
        files = await run_in_threadpool(unpack, received, target)
    except ArchiveRefused as refused:
        raise HTTPException(400, f"artifact {name!r}: {refused}") from None
    finally:
        received.unlink(missing_ok=True)
    return {"files": files}


async def _receive(request: Request, into: Path) -> int:
    """The request's body in the private file `into`; 413 past MAX_UPLOAD_BYTES."""
    size = 0
    with open(open_private(into), "wb") as target:
        async for data in request.stream():
            size += len(data)
            if size > MAX_UPLOAD_BYTES:
                raise HTTPException(413, f"larger than the limit of {MAX_UPLOAD_BYTES} bytes")
            target.write(data)
    return size


@router.get("/worker-jobs/{job_id}/cache", response_class=FileResponse)
def find_cache(
    job_id: int, token: JobToken, hub: Hub, ctx: Context, version: Version, key: Key,
    restore: Annotated[list[str] | None, Query(max_length=64)] = None,
) -> FileResponse:  # fmt: skip
    """The archive of the cache `key`, else of the newest matching a restore key (404: none)."""
    store = CacheStore(ctx.home, _job(hub, job_id, token).repository)
    entry = store.find(key, restore or [], version)
    if entry is None:
        raise HTTPException(404, "no cache matches the keys")
    headers = {KEY_HEADER: quote(entry.key, safe="")}
    return FileResponse(entry.archive, media_type="application/x-tar", headers=headers)


@router.put("/worker-jobs/{job_id}/cache")
async def save_cache(
    job_id: int, request: Request, token: JobToken, hub: Hub, ctx: Context, version: Version,
    key: Key,
) -> dict[str, bool]:  # fmt: skip
    """Stores a cache's archive under `key` (409: the key exists for this version)."""
    held = await run_in_threadpool(_job, hub, job_id, token)
    store = CacheStore(ctx.home, held.repository)
    if store.has(key, version):
        raise HTTPException(409, f"a cache with the key {key!r} exists")
    staged = store.staging()
    try:
        await _receive(request, staged)
        await run_in_threadpool(store.adopt, key, version, staged)
    finally:
        staged.unlink(missing_ok=True)
    return {"ok": True}
