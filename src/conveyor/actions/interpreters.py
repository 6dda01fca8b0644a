"""Finding installed interpreters (Python, node) and their versions.

Python candidates: `python3.N`, `python3`, `python` on the step's PATH, pyenv's
`$PYENV_ROOT/versions/*/bin/python` (default ~/.pyenv), and the GitHub tool-cache layout under
RUNNER_TOOL_CACHE (`Python/<version>/x64/bin/python3`). Shims (pyenv's) are skipped: they
depend on a version file, not on the interpreter. Node candidates: `node` on PATH, nvm's
`$NVM_DIR/versions/node/*/bin/node` and the tool cache (`node/<version>/x64/bin/node`).
Versions are asked once per interpreter file and remembered in the tool cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from conveyor.actions.versions import Version, VersionSpecError, parse_version
from conveyor.private_files import private_directory, write_private

_PYTHON_QUERY = (
    "import sys; print('.'.join(map(str, sys.version_info[:3])), sys.implementation.name)"
)
_CACHE_FILE = "conveyor-interpreters.json"


@dataclass(frozen=True, slots=True)
class Interpreter:
    path: str  # the executable, symlinks resolved
    version: Version
    implementation: str = "cpython"


def python_candidates(env: Mapping[str, str], tool_cache: str) -> list[str]:
    found: list[str] = []
    for directory in _path_entries(env):
        names = [f"python3.{minor}" for minor in range(30, 5, -1)] + ["python3", "python"]
        found.extend(str(directory / name) for name in names)
    pyenv = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found.extend(str(path) for path in sorted(pyenv.glob("*/bin/python")))
    found.extend(str(path) for path in sorted(Path(tool_cache).glob("Python/*/*/bin/python3")))
    return _existing(found)


def node_candidates(env: Mapping[str, str], tool_cache: str) -> list[str]:
    found = [str(directory / "node") for directory in _path_entries(env)]
    nvm = Path(env.get("NVM_DIR") or Path.home() / ".nvm") / "versions" / "node"
    found.extend(str(path) for path in sorted(nvm.glob("*/bin/node")))
    found.extend(str(path) for path in sorted(Path(tool_cache).glob("node/*/*/bin/node")))
    return _existing(found)


def _path_entries(env: Mapping[str, str]) -> list[Path]:
    entries = env.get("PATH", os.defpath).split(os.pathsep)
    return [Path(entry) for entry in entries if entry and "shims" not in Path(entry).parts]


def _existing(paths: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for path in paths:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            seen.setdefault(os.path.realpath(path), None)
    return list(seen)


def identify(paths: Iterable[str], kind: str, tool_cache: str) -> list[Interpreter]:
    """The version of each interpreter (`kind` is 'python' or 'node'); unusable ones dropped."""
    cache_path = Path(tool_cache) / _CACHE_FILE
    cache = _load(cache_path)
    found = []
    for path in paths:
        key = f"{kind}:{path}:{_stamp(path)}"
        if key not in cache:
            cache[key] = _ask(path, kind)
        answer = cache[key]
        if answer:
            with contextlib.suppress(VersionSpecError):
                version_text, _, implementation = answer.partition(" ")
                found.append(Interpreter(path, parse_version(version_text), implementation or kind))
    _save(cache_path, cache)
    return found


def _ask(path: str, kind: str) -> str:
    argv = [path, "-c", _PYTHON_QUERY] if kind == "python" else [path, "--version"]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _stamp(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save(path: Path, cache: dict[str, str]) -> None:
    private_directory(path.parent)
    temporary = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    write_private(temporary, json.dumps(cache, sort_keys=True))
    os.replace(temporary, path)
