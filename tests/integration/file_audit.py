"""What a test finds in the files conveyor wrote: bytes of a secret, and modes open to others."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path


def secret_forms(secret: str) -> list[bytes]:
    """The secret as it could be written: raw, JSON-escaped, base64 (at every alignment)."""
    raw = secret.encode()
    forms = {raw, json.dumps(secret)[1:-1].encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).rstrip(b"=")
        forms.add(encoded[-(-8 * shift // 6) : (8 * (shift + len(raw))) // 6])
    return sorted(forms)


def audit(root: Path, secret: str) -> list[str]:
    """`root` and every directory under it that is not 0700-or-stricter, every file not
    0600-or-stricter (no group or other bits), and every file holding a form of `secret`."""
    problems = _mode_problem(root)
    forms = secret_forms(secret)
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            problems += _mode_problem(Path(directory, name))
        for name in files:
            path = Path(directory, name)
            problems += _mode_problem(path)
            problems += _secret_problem(path, forms)
    return problems


def _mode_problem(path: Path) -> list[str]:
    try:
        info = path.lstat()
    except FileNotFoundError:  # removed while we walked (a job directory being deleted)
        return []
    if stat.S_ISLNK(info.st_mode) or not stat.S_IMODE(info.st_mode) & 0o077:
        return []
    return [f"{path}: mode {stat.S_IMODE(info.st_mode):04o}"]


def _secret_problem(path: Path, forms: list[bytes]) -> list[str]:
    try:
        if not path.is_file() or path.is_symlink():
            return []
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return []
    return [f"{path}: holds {form!r}" for form in forms if form in data]
