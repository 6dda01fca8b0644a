"""A job's own TMPDIR, and with `--isolate-home` its own HOME.

Every job gets `TMPDIR` (its job directory's `_tmp/`, removed with the job), so jobs running at
once do not collide in /tmp. With `isolate_home`, HOME is a fresh private `_home/` too: nothing a
step writes to `~` (caches, `~/.gitconfig`, `pip install --user`) reaches the user's home or
another job — and nothing of the user's home (dotfiles, credentials, caches) is seen. Only a git
identity is seeded (`.gitconfig`'s user.name and user.email: the user's, else `conveyor`), so a
step that commits works.
"""

from __future__ import annotations

import functools
import subprocess

from conveyor.executors.local.workspace import JobWorkspace
from conveyor.private_files import private_directory, write_private

FALLBACK_IDENTITY = ("conveyor", "conveyor@localhost")


def job_directories(layout: JobWorkspace, isolate_home: bool) -> dict[str, str]:
    """The variables that point a job's steps at its own directories (made here)."""
    private_directory(layout.tmp)
    variables = {"TMPDIR": str(layout.tmp)}
    if isolate_home:
        private_directory(layout.home)
        write_private(layout.home / ".gitconfig", _gitconfig(*git_identity()))
        variables["HOME"] = str(layout.home)
    return variables


def _gitconfig(name: str, email: str) -> str:
    return f"[user]\n\tname = {_quoted(name)}\n\temail = {_quoted(email)}\n"


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


@functools.cache
def git_identity() -> tuple[str, str]:
    """The user's git name and e-mail (global config), else conveyor's; read once."""
    name = _global_config("user.name") or FALLBACK_IDENTITY[0]
    email = _global_config("user.email") or FALLBACK_IDENTITY[1]
    return name, email


def _global_config(key: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "config", "--global", "--get", key], capture_output=True, text=True
        )
    except OSError:
        return None
    return done.stdout.strip() or None
