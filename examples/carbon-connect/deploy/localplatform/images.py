"""Images: the backend at a commit plus its virtualenv, under $DEPLOY_ROOT/images/<tag>/.

`<tag>/backend/` holds the source (`git archive` of HEAD:<source>, or a copy outside git),
`<tag>/venv/` its virtualenv (uv when on PATH, else `python3 -m venv` + pip) and
`<tag>/manifest.json` {tag, commit, created, source}, written last: an image without a manifest is
an interrupted build and is built again. Tags are immutable: the same tag at another commit is
an error. Programs run as `venv/bin/python -m ...` (console scripts would do too: the image is
built in place and never moved).
"""

from __future__ import annotations

import io
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
        raise PlatformError(f"image {tag!r} does not exist (build it: platform.py build --tag {tag})")
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
    _make_venv(target / "venv", target / "backend" / "requirements.txt", target / "build.log")
    data = {"tag": tag, "commit": commit, "source": source, "created": _now()}
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
    if commit == "uncommitted" or prefix is None:
        shutil.copytree(source_dir, target, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        return
    archive = subprocess.run(
        ["git", "archive", "--format=tar", f"HEAD:{prefix}"],
        cwd=source_dir,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise PlatformError(f"git archive of {source_dir} failed: {archive.stderr.decode().strip()}")
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def _make_venv(venv: Path, requirements: Path, log: Path) -> None:
    uv = shutil.which("uv")
    if uv:
        steps = [[uv, "venv", "--quiet", "--python", sys.executable, str(venv)]]
        steps.append([uv, "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(requirements)])
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
