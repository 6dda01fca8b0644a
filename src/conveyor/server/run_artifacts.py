"""A run's artifacts as upload-artifact leaves them: one directory per name under
`CONVEYOR_HOME/runs/<run>/artifacts/`. The API and the web UI both list and zip them from here.
Symbolic links are left out, so neither a listing nor a download reaches outside an artifact."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from fastapi.responses import StreamingResponse

CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class RunArtifact:
    name: str
    size: int
    files: int


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


def run_artifacts(home: Path, run_id: int) -> list[RunArtifact]:
    """Each artifact of the run, by name, with its size and number of files."""
    base = artifacts_dir(home, run_id)
    found = []
    for directory in sorted(base.iterdir()) if base.is_dir() else []:
        if directory.is_dir() and not directory.is_symlink():
            files = list(artifact_files(directory))
            size = sum(path.stat().st_size for path in files)
            found.append(RunArtifact(name=directory.name, size=size, files=len(files)))
    return found


def artifact_directory(home: Path, run_id: int, name: str) -> Path | None:
    """The directory of the run's artifact `name`, or None when there is no such artifact."""
    directory = artifacts_dir(home, run_id) / name
    if name in (".", "..") or "/" in name or not directory.is_dir() or directory.is_symlink():
        return None
    return directory


def zipped(directory: Path) -> IO[bytes]:
    """The directory's files as a zip, in a temporary file (the caller closes it)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in artifact_files(directory):
            archive.write(path, path.relative_to(directory).as_posix())
    spool.seek(0)
    return spool


def zip_response(spool: IO[bytes], name: str) -> StreamingResponse:
    """A download of the zip in `spool` named after the artifact; the spool is closed once sent."""
    disposition = f"attachment; filename*=UTF-8''{quote(name, safe='')}.zip"
    return StreamingResponse(
        _chunks(spool), media_type="application/zip", headers={"Content-Disposition": disposition}
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while data := spool.read(CHUNK):
            yield data
    finally:
        spool.close()
