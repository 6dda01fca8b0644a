"""uv from the package index into the tool cache, shared by every job and run (setup-uv).

The index is the one pip would use when the step's environment says so (`PIP_INDEX_URL`), else
PyPI (https://pypi.org/simple), read through its JSON simple API (PEP 691). The wheel for this
machine is downloaded, its sha256 checked against the index's, and its `uv` and `uvx` binaries
extracted to `RUNNER_TOOL_CACHE/uv/<version>/<arch>/` (made once, under a lock; private files).
An exact version already there is used with no network at all; for `latest` or a range the
index is asked which releases exist, and when it does not answer the highest cached version
that satisfies the range is used (with a warning), so runs work offline once uv is cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping
from pathlib import Path

from conveyor.actions.tool_cache import ensure_tool
from conveyor.actions.uv_versions import UvRelease, releases_from_index
from conveyor.actions.versions import Version, VersionSpecError, parse_version, version_text
from conveyor.errors import InfrastructureError
from conveyor.private_files import open_private

DEFAULT_INDEX = "https://pypi.org/simple"
_JSON_API = "application/vnd.pypi.simple.v1+json"
_TIMEOUT = 60


def machine_arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def index_url(env: Mapping[str, str]) -> str:
    return (env.get("PIP_INDEX_URL") or DEFAULT_INDEX).rstrip("/")


def shown_url(url: str) -> str:
    """`url` without credentials, for logs."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def tool_directory(tool_cache: str, version: Version) -> Path:
    return Path(tool_cache) / "uv" / version_text(version) / machine_arch()


def cached_versions(tool_cache: str) -> list[Version]:
    found = []
    for binary in (Path(tool_cache) / "uv").glob(f"*/{machine_arch()}/uv"):
        try:
            found.append(parse_version(binary.parent.parent.name))
        except VersionSpecError:
            continue
    return sorted(found)


def index_releases(env: Mapping[str, str]) -> list[UvRelease]:
    """The uv releases the index offers for this machine (InfrastructureError when it fails)."""
    page = f"{index_url(env)}/uv/"
    request = urllib.request.Request(page, headers={"Accept": _JSON_API})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            document = json.load(response)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        message = f"the package index {shown_url(page)} did not answer: {exc}"
        raise InfrastructureError(message) from exc
    return releases_from_index(
        document if isinstance(document, dict) else {},
        page,
        machine=platform.machine(),
        system=platform.system(),
        musl=platform.libc_ver()[0] != "glibc" and platform.system() == "Linux",
    )


def install(release: UvRelease, tool_cache: str) -> Path:
    """The tool-cache directory holding `release`'s uv and uvx (downloaded unless there)."""
    return ensure_tool(
        tool_directory(tool_cache, release.version), lambda staging: _unpack(release, staging)
    )


def _unpack(release: UvRelease, staging: Path) -> None:
    wheel = staging / release.filename
    _download(release, wheel)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            name = member.rsplit("/", 1)[-1]
            if ".data/scripts/" in member and name in ("uv", "uvx"):
                descriptor = open_private(staging / name)
                with os.fdopen(descriptor, "wb") as target, archive.open(member) as source:
                    target.write(source.read())
                os.chmod(staging / name, 0o700)
    wheel.unlink()
    if not (staging / "uv").is_file():
        raise InfrastructureError(f"{release.filename} holds no uv binary")


def _download(release: UvRelease, target: Path) -> None:
    digest = hashlib.sha256()
    try:
        with (
            urllib.request.urlopen(release.url, timeout=_TIMEOUT) as response,
            os.fdopen(open_private(target), "wb") as output,
        ):
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                output.write(chunk)
    except (OSError, urllib.error.URLError) as exc:
        raise InfrastructureError(f"downloading {shown_url(release.url)} failed: {exc}") from exc
    if digest.hexdigest() != release.sha256.lower():
        raise InfrastructureError(
            f"{release.filename}: sha256 {digest.hexdigest()} is not the index's {release.sha256}"
        )
