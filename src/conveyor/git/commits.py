"""Commit metadata as read from `git log`."""

from __future__ import annotations

from dataclasses import dataclass

_FIELDS = ("%H", "%T", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B")
_SEPARATOR = "\x1f"
LOG_FORMAT = "%x1f".join(_FIELDS)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str
    date: str  # ISO 8601 with offset


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def body(self) -> str:
        """The message after the subject line and the blank line that follows it."""
        return self.message.partition("\n")[2].strip("\n")


def parse_log(output: str) -> list[CommitInfo]:
    """Records of `git log -z --format=LOG_FORMAT`, in git's order (newest first)."""
    commits: list[CommitInfo] = []
    for record in output.split("\0"):
        record = record.lstrip("\n")
        if not record:
            continue
        sha, tree, parents, an, ae, ad, cn, ce, cd, message = record.split(_SEPARATOR, 9)
        commits.append(
            CommitInfo(
                sha=sha,
                tree=tree,
                parents=tuple(parents.split()),
                author=Person(an, ae, ad),
                committer=Person(cn, ce, cd),
                message=message.rstrip("\n"),
            )
        )
    return commits
