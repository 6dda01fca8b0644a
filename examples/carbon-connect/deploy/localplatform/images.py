"""Images: the backend at a commit plus its virtualenv, under $DEPLOY_ROOT/images/<tag>/.

`<tag>/backend/` holds the source (`git archive` of HEAD:<source>, or a copy outside git),
`<tag>/venv/` its virtualenv (uv when on PATH, else `python3 -m venv` + pip) and
`<tag>/manifest.json` {tag, commit, created, source, dependencies}, written last: an image without
a manifest is an interrupted build and is built again. Tags are immutable: the same tag at
another commit is an error. Like Docker's layer cache, an image whose requirements.txt (and
Python) match an earlier image's takes a hard-linked copy of that image's virtualenv instead of
installing again. Programs run as `venv/bin/python -m ...`: the scripts of a linked virtualenv
name the first image's interpreter in their `#!` line.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from .environments import check_tag, deploy_root, read_json, write_json
from .errors import PlatformError


def image_dir(tag: str) -> Path:
    return deploy_root() / "images" / check_tag(tag)


def manifest(tag: str) -> dict[str, Any] | None:
    data = read_json(image_dir(tag) / "manifest.json")
    return data if isinstance(data, dict) else None


def require(tag: str) -> Path:
    if manifest(tag) is None:
        raise PlatformError(
            f"image {tag!r} does not exist (build it: platform.py build --tag {tag})"
        )
    return image_dir(tag)


def python(tag: str) -> str:
    return str(require(tag) / "venv" / "bin" / "python")


def build(tag: str, source: str) -> tuple[dict[str, Any], bool]:
    """(the manifest, whether it was built now)."""
    source_dir = Path(source).resolve()
    if not (source_dir / "requirements.txt").is_file():
        raise PlatformError(f"{source}: no requirements.txt (is --source the backend?)", True)
    commit = _commit(source_dir)
    existing = manifest(tag)
    if existing is not None:
        if existing["commit"] != commit:
            raise PlatformError(
                f"image {tag!r} exists for commit {existing['commit']}, not {commit}: "
                "tags are immutable, choose another tag"
            )
        return existing, False
    target = image_dir(tag)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    _export(source_dir, commit, target / "backend")
    requirements = target / "backend" / "requirements.txt"
    key = _dependencies_key(requirements)
    reused = _reuse_venv(key, target / "venv")
    if reused is None:
        _make_venv(target / "venv", requirements, target / "build.log")
    data = {"tag": tag, "commit": commit, "source": source, "created": _now()}
    data |= {"dependencies": key, "venv_from": reused or tag}
    write_json(target / "manifest.json", data)
    return data, True


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _git(source_dir: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", *args], cwd=source_dir, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _commit(source_dir: Path) -> str:
    return _git(source_dir, "rev-parse", "HEAD") or "uncommitted"


def _export(source_dir: Path, commit: str, target: Path) -> None:
    """The committed tree of the source at HEAD (what CI built), else a plain copy."""
    prefix = _git(source_dir, "rev-parse", "--show-prefix")
    top = _git(source_dir, "rev-parse", "--show-toplevel")
    if commit == "uncommitted" or prefix is None or top is None:
        shutil.copytree(source_dir, target, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        return
    archive = subprocess.run(
        ["git", "archive", "--format=tar", f"HEAD:{prefix}"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise PlatformError(
            f"git archive of {source_dir} failed: {archive.stderr.decode().strip()}"
        )
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def _dependencies_key(requirements: Path) -> str:
    facts = requirements.read_bytes() + sys.version.encode() + (shutil.which("uv") or "").encode()
    return hashlib.sha256(facts).hexdigest()[:16]


def _reuse_venv(key: str, venv: Path) -> str | None:
    """Hard-link the virtualenv of an image with the same dependencies; its tag, or None."""
    for candidate in sorted((deploy_root() / "images").glob("*/manifest.json")):
        data = read_json(candidate)
        if isinstance(data, dict) and data.get("dependencies") == key:
            shutil.copytree(candidate.parent / "venv", venv, symlinks=True, copy_function=_link)
            return str(data["tag"])
    return None


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _make_venv(venv: Path, requirements: Path, log: Path) -> None:
    uv = shutil.which("uv")
    if uv:
        steps = [[uv, "venv", "--quiet", "--python", sys.executable, str(venv)]]
        steps.append(
            [
                uv,
                "pip",
                "install",
                "--python",
                str(venv / "bin" / "python"),
                "-r",
                str(requirements),
            ]
        )
    else:
        steps = [[sys.executable, "-m", "venv", str(venv)]]
        pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        steps.append([*pip, "install", "--quiet", "-r", str(requirements)])
    with open(log, "ab") as out:
        for step in steps:
            out.write(f"$ {' '.join(step)}\n".encode())
            out.flush()
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                raise PlatformError(f"installing {requirements.name} failed (log {log})")
