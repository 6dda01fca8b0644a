"""Loaded workflows kept between runs, so an unchanged file is not read, checked and built again.

Loading a workflow (YAML with positions, GitHub's schema, expression checks, the model) is a pure
function of the file's bytes and the path it is shown as, given conveyor's own code. The result
— the `Workflow` model and the diagnostics, frozen dataclasses — is pickled under
`CONVEYOR_HOME/cache/workflows/<key>.pickle`, where the key hashes the bytes, the shown path, the
Python version and a fingerprint of the code that loads (the size and modification time of every
file of conveyor.workflow, conveyor.model, conveyor.expr and conveyor.errors). A hit loads no YAML
parser and no schema. An unreadable, corrupt or foreign entry is a miss; a cache that cannot be
written is no cache.
"""

from __future__ import annotations

import functools
import os
import pickle
import sys
import tempfile
from pathlib import Path

try:  # hashlib would load OpenSSL (megabytes of memory) for this one digest
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

from conveyor.errors import Diagnostic
from conveyor.model.workflow import Workflow
from conveyor.private_files import private_directory

Loaded = tuple[Workflow | None, tuple[Diagnostic, ...]]

_LOADER_PACKAGES = ("workflow", "model", "expr")
_READ_LIMIT = 1024 * 1024  # larger files are the loader's to report, uncached
_KEEP = 512  # entries; past that the least recently written half is dropped


class WorkflowCache:
    """Loads workflow files through the on-disk cache under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self, path: Path, shown: str) -> Loaded:
        try:
            data = path.read_bytes() if path.stat().st_size <= _READ_LIMIT else None
            text = data.decode("utf-8") if data is not None else None
        except (OSError, UnicodeDecodeError):
            data = text = None
        if data is None or text is None:
            return _load(path, shown, None)  # the loader reports the problem
        key = _key(data, shown)
        cached = self._read(key)
        if cached is not None:
            return cached
        loaded = _load(path, shown, text)
        self._write(key, loaded)
        return loaded

    def _read(self, key: str) -> Loaded | None:
        try:
            with open(self.directory / f"{key}.pickle", "rb") as handle:
                value = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # a corrupt or foreign entry is a miss
            return None
        if _is_loaded(value):
            return value  # type: ignore[no-any-return]
        return None

    def _write(self, key: str, loaded: Loaded) -> None:
        name = None
        try:
            data = pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
            private_directory(self.directory)
            fd, name = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(name, self.directory / f"{key}.pickle")
            self._prune()
        except Exception:  # a cache that cannot be written is no cache; the run goes on
            if name is not None:
                Path(name).unlink(missing_ok=True)

    def _prune(self) -> None:
        entries = list(os.scandir(self.directory))
        if len(entries) <= _KEEP:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: len(entries) // 2]:
            Path(entry.path).unlink(missing_ok=True)


def _load(path: Path, shown: str, text: str | None) -> Loaded:
    from conveyor.workflow import load_workflow  # only on a miss: it loads ruamel and the schema

    result = load_workflow(path, text, display_path=shown)
    return result.workflow, result.diagnostics


def _is_loaded(value: object) -> bool:
    if not isinstance(value, tuple) or len(value) != 2:
        return False
    workflow, diagnostics = value
    return (workflow is None or isinstance(workflow, Workflow)) and isinstance(diagnostics, tuple)


def _key(data: bytes, shown: str) -> str:
    digest = blake2b(code_fingerprint().encode("utf-8"), digest_size=20)
    digest.update(shown.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(data)
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """conveyor's version, Python's, and every file of the loading code (size, mtime)."""
    import conveyor

    root = Path(conveyor.__file__).parent
    parts = [conveyor.__version__, sys.version, _stamp(root / "errors.py")]
    for package in _LOADER_PACKAGES:
        parts.extend(_tree_stamps(root / package))
    return "\n".join(parts)


def _tree_stamps(directory: Path) -> list[str]:
    stamps: list[str] = []
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return [f"{directory}: missing"]
    for entry in entries:
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            stamps.extend(_tree_stamps(Path(entry.path)))
        else:
            stamps.append(_stamp(Path(entry.path)))
    return stamps


def _stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}: missing"
    return f"{path} {status.st_size} {status.st_mtime_ns}"
