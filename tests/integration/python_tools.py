"""Test helpers for Python tooling in jobs: tiny wheels made here, and uv from the package index.

`make_wheel` writes a pure-Python wheel (no build backend needed, so installing it works
offline). `uv_from_index` downloads the `uv` wheel with pip from the configured index (PyPI) and
extracts its binaries, once per test session; tests that use it are marked `registry` and skipped,
with the reason, when the index does not answer.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


def make_wheel(directory: Path, name: str, version: str = "0.1") -> Path:
    """`<name>-<version>-py3-none-any.whl` holding a module `<name>` with VALUE = version."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = [f"{path},sha256={_digest(text)},{len(text.encode())}" for path, text in files.items()]
    files[f"{dist}/RECORD"] = "\n".join([*record, f"{dist}/RECORD,,"]) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def _digest(text: str) -> str:
    raw = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def uv_from_index(directory: Path) -> Path:
    """The `uv` binary from the index's newest uv wheel, extracted under `directory`."""
    uv = directory / "bin" / "uv"
    if uv.exists():
        return uv
    download = directory / "download"
    argv = [sys.executable, "-m", "pip", "download", "uv", "--no-deps", "--only-binary=:all:"]
    result = subprocess.run(
        [*argv, "-d", str(download), "--quiet"], capture_output=True, text=True, timeout=240
    )
    wheels = sorted(download.glob("uv-*.whl"))
    if result.returncode != 0 or not wheels:
        pytest.skip(f"the package index did not answer for uv: {result.stderr.strip()[-300:]}")
    uv.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheels[-1]) as archive:
        for member in archive.namelist():
            name = member.rsplit("/", 1)[-1]
            if "/scripts/" in member and name in ("uv", "uvx"):
                (uv.parent / name).write_bytes(archive.read(member))
                os.chmod(uv.parent / name, 0o755)
    return uv


def tree_listing(root: Path) -> dict[str, int]:
    """Every file under `root` with its modification time (to prove nothing changed)."""
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")}
