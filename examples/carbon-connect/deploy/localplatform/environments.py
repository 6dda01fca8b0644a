"""Where an environment's state lives under $DEPLOY_ROOT, and small atomic JSON files."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PlatformError

ENVIRONMENTS = ("staging", "production")
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def deploy_root() -> Path:
    value = os.environ.get("DEPLOY_ROOT", "").strip()
    if not value:
        raise PlatformError("DEPLOY_ROOT is not set: name the directory that holds the platform")
    root = Path(value).expanduser().resolve()
    if not root.is_dir():
        root.mkdir(parents=True)
        root.chmod(0o755)  # the PostgreSQL user passes through it
    return root


def check_tag(tag: str) -> str:
    if not _TAG.match(tag):
        raise PlatformError(f"bad image tag {tag!r}: letters, digits, '.', '_', '-'", usage=True)
    return tag


@dataclass(frozen=True)
class Environment:
    root: Path
    name: str

    @classmethod
    def named(cls, name: str) -> Environment:
        if name not in ENVIRONMENTS:
            known = ", ".join(ENVIRONMENTS)
            raise PlatformError(f"unknown environment {name!r} (known: {known})", usage=True)
        return cls(deploy_root(), name)

    @property
    def directory(self) -> Path:
        return self.root / self.name

    def sub(self, name: str) -> Path:
        path = self.directory / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def state_file(self) -> Path:
        return self.directory / "platform.json"

    @property
    def live_file(self) -> Path:
        return self.directory / "live.json"

    def state(self) -> dict[str, Any]:
        return read_json(self.state_file) or {}

    def save_state(self, state: dict[str, Any]) -> None:
        write_json(self.state_file, state, private=True)


def existing_environments(root: Path) -> list[Environment]:
    return [Environment(root, name) for name in ENVIRONMENTS if (root / name).is_dir()]


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise PlatformError(f"{path}: unreadable ({exc})") from exc


def write_json(path: Path, data: Any, private: bool = False) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w") as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write("\n")
    os.chmod(temporary, 0o600 if private else 0o644)
    os.replace(temporary, path)
