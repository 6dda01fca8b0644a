"""conveyor/release's assets: the files the `files` globs match, uploaded through the release's
`upload_url`; an asset of the same name and size is kept (idempotent), another one replaced."""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from conveyor.actions.forge_rest import ForgeRest
from conveyor.actions.native_support import listed
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation


def asset_files(invocation: ActionInvocation, warnings: list[str]) -> list[Path]:
    found: dict[str, Path] = {}
    for pattern in listed(invocation, "files"):
        matches = sorted(glob.glob(os.path.join(invocation.workspace, pattern), recursive=True))
        files = [Path(m) for m in matches if os.path.isfile(m)]
        if not files:
            warnings.append(f"conveyor/release: `files` pattern {pattern!r} matches no file")
        found.update((file.name, file) for file in files)
    return list(found.values())


def upload_assets(
    invocation: ActionInvocation, console: ActionConsole, rest: ForgeRest, release: Any
) -> tuple[list[str], list[str]]:
    """The names of the assets the release has from `files` (would have, in a dry run), and
    warnings (patterns matching nothing)."""
    warnings: list[str] = []
    files = asset_files(invocation, warnings)
    if release is None:
        for file in files:
            console.log(f"[dry run] would upload {file.name} ({file.stat().st_size} bytes)")
        return [file.name for file in files], warnings
    existing = {asset["name"]: asset for asset in release.get("assets") or ()}
    for file in files:
        _upload(rest, console, release, file, existing.get(file.name))
    return [file.name for file in files], warnings


def _upload(
    rest: ForgeRest, console: ActionConsole, release: Any, file: Path, existing: Any
) -> None:
    size = file.stat().st_size
    if existing is not None and existing.get("size") == size:
        console.log(f"{file.name}: already uploaded")
        return
    if existing is not None:
        rest.request("DELETE", rest.repo_path(f"/releases/assets/{existing['id']}"))
    url = str(release["upload_url"]).split("{", 1)[0] + f"?name={quote(file.name)}"
    headers = {"Content-Type": "application/octet-stream"}
    rest.request("POST", url, content=file.read_bytes(), headers=headers)
    console.log(f"{file.name}: uploaded ({size} bytes)")
