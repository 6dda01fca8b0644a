"""actions/upload-artifact and actions/download-artifact over a run-scoped local store.

Store: `CONVEYOR_HOME/runs/<run_id>/artifacts/<name>/` holds the artifact's files.

Upload (v4 semantics): `name` (default `artifact`), `path` (multi-line patterns, `!` excludes);
files are stored relative to the least common ancestor of the search paths (a single plain
file: relative to its directory); hidden files (a path part starting with `.`) are left out
unless `include-hidden-files: true`; `if-no-files-found: warn|error|ignore` (default warn); an
existing name fails unless `overwrite: true`; a name holding a secret is refused (it would be a
directory name). Outputs: `artifact-id`, `artifact-url`,
`artifact-digest`.

Download: `name` → its files into `path` (default the workspace); no name → every artifact
(filtered by `pattern`) into `path/<name>/`, or all into `path` with `merge-multiple: true`.
Output: `download-path`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import uuid
from pathlib import Path

from conveyor.actions.path_patterns import common_root, matching_files, parse_patterns
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    failed,
)
from conveyor.private_files import make_tree_private, private_directory


def artifact_store(invocation: ActionInvocation) -> Path:
    return Path(invocation.home) / "runs" / invocation.run_id / "artifacts"


class UploadArtifact:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        name = invocation.input("name", "artifact")
        if not name or "/" in name or name in (".", ".."):
            return failed(f"upload-artifact: '{name}' is not a valid artifact name")
        if console.contains_secret(name):
            return failed(
                "upload-artifact: the artifact name holds a secret; artifacts are stored under "
                "their name on disk, where it cannot be masked"
            )
        patterns = parse_patterns(invocation.input("path"), invocation.workspace)
        if not [p for p in patterns if not p.negate]:
            return failed("upload-artifact: input 'path' is required")
        files = matching_files(patterns)
        search = [p.search_path for p in patterns if not p.negate]
        root = _root(search, files)
        if invocation.input("include-hidden-files", "false").lower() != "true":
            files = [f for f in files if not _hidden(f, root)]
        if not files:
            return _no_files(invocation, console, search)
        target = artifact_store(invocation) / name
        if target.exists() and invocation.input("overwrite", "false").lower() != "true":
            return failed(
                f"upload-artifact: an artifact named '{name}' already exists in this run "
                "(set overwrite: true to replace it)"
            )
        digest = _store(files, root, target)
        console.log(f"Uploaded artifact '{name}': {len(files)} file(s) from {root}")
        return ActionOutcome(
            outputs={
                "artifact-id": str(int(digest[:8], 16)),
                "artifact-url": target.as_uri(),
                "artifact-digest": digest,
            }
        )


def _root(search: list[str], files: list[Path]) -> str:
    if len(search) == 1 and len(files) == 1 and str(files[0]) == search[0]:
        return str(files[0].parent)
    return common_root(search)


def _hidden(file: Path, root: str) -> bool:
    try:
        parts = file.relative_to(root).parts
    except ValueError:
        parts = file.parts
    return any(part.startswith(".") for part in parts)


def _no_files(
    invocation: ActionInvocation, console: ActionConsole, search: list[str]
) -> ActionOutcome:
    mode = invocation.input("if-no-files-found", "warn").lower()
    message = (
        f"No files were found with the provided path: {', '.join(search)}. "
        "No artifacts will be uploaded."
    )
    if mode == "error":
        return failed(message)
    if mode != "ignore":
        console.log(f"##[warning]{message}")
    return ActionOutcome()


def _store(files: list[Path], root: str, target: Path) -> str:
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    digest = hashlib.sha256()
    for file in files:
        relative = os.path.relpath(file, root)
        destination = staging / relative
        private_directory(destination.parent)
        shutil.copy2(file, destination, follow_symlinks=True)
        digest.update(relative.encode() + b"\0" + destination.read_bytes())
    private_directory(staging)
    make_tree_private(staging)  # copies keep their modes: private in CONVEYOR_HOME
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return digest.hexdigest()


class DownloadArtifact:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        store = artifact_store(invocation)
        destination = Path(invocation.workspace) / os.path.expanduser(invocation.input("path", "."))
        name = invocation.input("name")
        if name:
            source = store / name
            if not source.is_dir():
                return failed(
                    f"Unable to download artifact(s): Artifact not found for name: {name}"
                )
            _copy_into(source, destination)
            console.log(f"Downloaded artifact '{name}' to {destination}")
            return ActionOutcome(outputs={"download-path": str(destination.resolve())})
        pattern = invocation.input("pattern", "*")
        names = sorted(p.name for p in store.glob("*") if p.is_dir() and not p.name.startswith("."))
        names = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        merge = invocation.input("merge-multiple", "false").lower() == "true"
        for each in names:
            _copy_into(store / each, destination if merge else destination / each)
        console.log(f"Downloaded {len(names)} artifact(s) to {destination}")
        return ActionOutcome(outputs={"download-path": str(destination.resolve())})


def _copy_into(source: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination, symlinks=True, dirs_exist_ok=True)
