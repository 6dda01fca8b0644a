"""The template a workspace's `.git` is made from: git's own default, without the sample hooks.

`git clone` copies its template directory into every new `.git`: the description, info/exclude,
and thirteen `hooks/*.sample` files, which do nothing (git runs no `.sample` hook). Creating
files is the dearest part of making a workspace on some filesystems, so workspaces are cloned
with a copy of git's default template that keeps everything else (an empty `hooks/`). The copy
is made once per git installation, from a `git init`, under `CONVEYOR_HOME/cache/git-template/`.

When the user chose a template (`GIT_TEMPLATE_DIR`, `init.templateDir`), git's choice stands:
`lean_template` returns None and clones use the configured template as before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from conveyor.private_files import make_tree_private, private_directory

try:  # hashlib would load OpenSSL (megabytes of memory) for this one digest
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

_KEPT = ("description", "info", "branches")


def lean_template(home: Path) -> Path | None:
    """The lean template directory (made when missing), or None to let git choose."""
    if os.environ.get("GIT_TEMPLATE_DIR") or _configured_template():
        return None
    git = shutil.which("git")
    if git is None:
        return None
    try:
        status = os.stat(git)
    except OSError:
        return None
    key = blake2b(f"{git}\0{status.st_size}\0{status.st_mtime_ns}".encode(), digest_size=8)
    target = home / "cache" / "git-template" / key.hexdigest()
    if target.is_dir():
        return target
    return _make(target)


def _configured_template() -> bool:
    try:
        found = subprocess.run(
            ["git", "config", "--get", "init.templateDir"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return True  # git cannot be asked: leave it its default
    return found.returncode != 1  # 1: not set (other failures: leave it to git)


def _make(target: Path) -> Path | None:
    """git's default template without hooks/*.sample, put in place atomically."""
    try:
        private_directory(target.parent)
        work = Path(tempfile.mkdtemp(prefix=".make-", dir=target.parent))
    except OSError:
        return None
    try:
        probe, template = work / "probe", work / "template"
        subprocess.run(["git", "init", "-q", str(probe)], capture_output=True, check=True)
        template.mkdir()
        for name in _KEPT:
            origin = probe / ".git" / name
            if origin.is_dir():
                shutil.copytree(origin, template / name)
            elif origin.is_file():
                shutil.copy2(origin, template / name)
        (template / "hooks").mkdir()
        make_tree_private(template)
        os.rename(template, target)
    except (OSError, subprocess.SubprocessError):
        pass  # made by another run meanwhile, or not at all
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target if target.is_dir() else None
