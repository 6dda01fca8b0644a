"""What an event asks of a repository, read at once: git's configuration, the refs, HEAD's branch
(and origin's), and for a push HEAD's commit and the files it changed, in four git processes
(with the `rev-parse` that finds the repository) run side by side, so building an event costs
about one git start-up instead of a dozen in a row.

A `GitRepository` opened with a prefetch answers from the snapshot what it holds and asks git for
anything else. Every answer is the one the single question gets: the snapshot runs the same
commands (`symbolic-ref --short`; `log --name-only` lists what `diff` and `ls-tree` on HEAD's
names list) or lists what they would read (`config --list`; `for-each-ref` shortens names as
`--short` does, and marks HEAD's branch).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.git.commits import LOG_FORMAT, CommitInfo, parse_log

ORIGIN_HEAD = "refs/remotes/origin/HEAD"
# The namespaces an event reads: branches, tags and remote branches (what `--branches --tags
# --remotes` cover, for `before`, origin/HEAD and a created branch's new commits).
REF_NAMESPACES = ("refs/heads/", "refs/tags/", "refs/remotes/")
_REF_FIELDS = (
    "%(HEAD)",  # "*" for the branch HEAD is on
    "%(refname)",
    "%(refname:short)",
    "%(objecttype)",
    "%(objectname)",
    "%(*objecttype)",
    "%(*objectname)",
)

# Always read. for-each-ref omits a symbolic ref whose target is gone, so origin/HEAD is asked for
# as `default_branch` would ask. HEAD's branch is the listed branch marked `*` (a detached or
# unborn HEAD marks none: then `symbolic-ref` is asked when it matters).
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("config", "-z", "--list"),
    ("for-each-ref", "--format=" + "%00".join(_REF_FIELDS), *REF_NAMESPACES),
    ("symbolic-ref", "--quiet", "--short", ORIGIN_HEAD),
)
# Read for a push (which is of HEAD unless told otherwise), in one `git log`: its commit, then the
# files it changed from its only parent (as `changed_files(parent, HEAD)` asks) or, for a root
# commit (`--root`), all its files (what `ls-tree -r` lists). A merge lists none (not used).
PUSH_COMMANDS: tuple[tuple[str, ...], ...] = (
    # run from wherever `conveyor run` was pointed: never relative to it (diff.relative)
    (
        "log",
        f"--format={LOG_FORMAT}",
        "-z",
        "--max-count=1",
        "--name-only",
        "--no-renames",
        "--no-relative",
        "--root",
        "HEAD",
        "--",
    ),
)


@dataclass(frozen=True, slots=True)
class RefEntry:
    name: str  # refs/heads/main
    short: str  # main (as `--short` would print it)
    object_id: str
    commit: str | None  # the commit it peels to, None when it is no commit
    is_head: bool = False  # the branch HEAD is on


@dataclass(frozen=True, slots=True)
class Snapshot:
    config: Mapping[str, str]
    refs: Mapping[str, RefEntry]
    head_branch: str | None  # `git symbolic-ref --quiet --short HEAD`; None: not on a listed branch
    origin_head: str | None  # the same for refs/remotes/origin/HEAD
    refs_incomplete: bool = False  # git warned while listing: ask it ref by ref instead
    head: CommitInfo | None = None  # with the push commands
    head_changes: tuple[str, ...] | None = None  # against HEAD's only parent
    head_files: tuple[str, ...] | None = None  # every file of HEAD
    commits: dict[str, CommitInfo] = field(default_factory=dict)


def commands(*, push: bool) -> tuple[tuple[str, ...], ...]:
    return COMMANDS + PUSH_COMMANDS if push else COMMANDS


def read_snapshot(outputs: Sequence[subprocess.CompletedProcess[str]]) -> Snapshot | None:
    """The snapshot from the outputs of `commands(...)`, in order; None when listing failed."""
    config, refs, origin_head = outputs[: len(COMMANDS)]
    if config.returncode not in (0, 1) or refs.returncode != 0:
        return None  # config exits 1 when there is no configuration at all
    head_commit, changes, files = _push_facts(outputs[len(COMMANDS) :])
    listed = parse_refs(refs.stdout)
    snapshot = Snapshot(
        config=parse_config(config.stdout),
        refs=listed,
        head_branch=next((e.short for e in listed.values() if e.is_head), None),
        origin_head=_stripped(origin_head),
        refs_incomplete=bool(refs.stderr.strip()),
        head=head_commit,
        head_changes=changes,
        head_files=files,
    )
    if snapshot.head is not None:
        snapshot.commits[snapshot.head.sha] = snapshot.head
    return snapshot


_PushFacts = tuple[CommitInfo | None, tuple[str, ...] | None, tuple[str, ...] | None]


def _push_facts(outputs: Sequence[subprocess.CompletedProcess[str]]) -> _PushFacts:
    """(HEAD's commit, the files it changed from its only parent, every file of a root HEAD)."""
    if len(outputs) != len(PUSH_COMMANDS) or outputs[0].returncode != 0:
        return None, None, None
    record, _, names = outputs[0].stdout.partition("\0")  # the commit, then "\n" and its files
    found = parse_log(record)
    if len(found) != 1:
        return None, None, None
    head = found[0]
    changed = _names(names.lstrip("\n"))
    changes = changed if len(head.parents) == 1 else None
    files = changed if not head.parents else None
    return head, changes, files


def _names(output: str) -> tuple[str, ...]:
    return tuple(name for name in output.split("\0") if name)


def _stripped(result: subprocess.CompletedProcess[str]) -> str | None:
    return result.stdout.strip() if result.returncode == 0 and result.stdout else None


def parse_config(output: str) -> dict[str, str]:
    """`git config -z --list`: the last value of each key wins, as with `--get`."""
    values: dict[str, str] = {}
    for entry in output.split("\0"):
        if entry:
            key, _, value = entry.partition("\n")
            values[key] = value
    return values


def config_key(key: str) -> str:
    """A key as `--list` prints it: section and name in lower case, the subsection as written."""
    section, _, rest = key.partition(".")
    subsection, dot, name = rest.rpartition(".")
    if not dot:
        return f"{section.lower()}.{rest.lower()}"
    return f"{section.lower()}.{subsection}.{name.lower()}"


def parse_refs(output: str) -> dict[str, RefEntry]:
    refs: dict[str, RefEntry] = {}
    for line in output.splitlines():
        fields = line.split("\0")
        if len(fields) != len(_REF_FIELDS):
            continue
        head, name, short, kind, object_id, peeled_kind, peeled = fields
        commit = object_id if kind == "commit" else peeled if peeled_kind == "commit" else None
        refs[name] = RefEntry(name, short, object_id, commit, head == "*")
    return refs


def run_together(
    cwd: Path, commands: Sequence[Sequence[str]], env: Mapping[str, str], timeout: float
) -> list[subprocess.CompletedProcess[str]]:
    """Run several git commands at the same time; their results in order. TimeoutExpired when
    they take longer than `timeout` seconds (all are killed then)."""
    processes = [
        subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
        )
        for args in commands
    ]
    deadline = time.monotonic() + timeout
    results: list[subprocess.CompletedProcess[str]] = []
    try:
        for args, process in zip(commands, processes, strict=True):
            left = max(0.0, deadline - time.monotonic())
            stdout, stderr = process.communicate(timeout=left)
            results.append(subprocess.CompletedProcess(args, process.returncode, stdout, stderr))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return results
