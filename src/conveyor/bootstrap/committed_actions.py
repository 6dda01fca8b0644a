"""A local action directory named by the conveyor.toml of a commit (a served run: the server's
view of a repository has no working tree): the directory as committed, extracted once per commit
under the view's git directory (`.git/conveyor/actions/<sha>/<path>`, private), so
`[actions.overrides] "acme/greet" = "tools/greet"` works on the server as it does locally."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from conveyor.private_files import private_directory


def committed_directory(repository: Path, revision: str, relative: Path) -> Path | None:
    """`relative` (a directory of the repository at `revision`) extracted on disk; None when
    the commit has no such directory."""
    inside = PurePosixPath(relative.as_posix())
    if inside.is_absolute() or ".." in inside.parts or not _is_tree(repository, revision, inside):
        return None
    cache = repository / ".git" / "conveyor" / "actions" / revision
    target = cache / inside
    if not target.is_dir():
        _extract(repository, revision, inside, cache)
    return target


def _is_tree(repository: Path, revision: str, inside: PurePosixPath) -> bool:
    done = subprocess.run(
        ["git", "cat-file", "-t", f"{revision}:{inside}"],
        cwd=repository, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode == 0 and done.stdout.strip() == "tree"


def _extract(repository: Path, revision: str, inside: PurePosixPath, cache: Path) -> None:
    """The commit's files under `inside` into `cache` (through a temporary directory renamed
    into place, so a concurrent run never sees half of it)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "--", str(inside)],
        cwd=repository, capture_output=True, check=True,
    ).stdout  # fmt: skip
    private_directory(cache)
    staging = Path(tempfile.mkdtemp(dir=cache, prefix=".extract-"))
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(staging, filter="data")
        target = cache / inside
        if not target.exists():
            private_directory(target.parent)
            (staging / inside).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
