"""The base a local pull request compares with when none is named and the head is the default
branch itself (a pull request from `main` into `main` compares nothing, and path-filtered
workflows would silently not fire).

The base is then, in order: the merge base with the upstream default branch (`upstream/<main>`,
else `origin/<main>`) when the head has commits it does not; else the head's parent commit. The
choice is told as a note (`base origin/main (merge base abc1234)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.git.local_context import LocalContext

UPSTREAM_REMOTES = ("upstream", "origin")


@dataclass(frozen=True, slots=True)
class ChosenBase:
    """A base revision chosen for the user, and the sentence that says which."""

    revision: str
    note: str


def choose_base(ctx: LocalContext, head_sha: str) -> ChosenBase | None:
    """The base for a pull request whose head is the default branch's tip (None when nothing
    better than the default branch itself is found)."""
    default = ctx.identity.default_branch
    for remote in UPSTREAM_REMOTES:
        tip = ctx.repo.find_commit(f"refs/remotes/{remote}/{default}")
        found = ctx.repo.merge_base(tip, head_sha) if tip is not None else None
        if found is not None and found != head_sha:
            note = f"base {remote}/{default} (merge base {found[:7]})"
            return ChosenBase(found, _told(note))
    parents = ctx.repo.commit(head_sha).parents
    if parents:
        note = f"base {parents[0][:7]} (the head's parent: no upstream {default} to compare with)"
        return ChosenBase(parents[0], _told(note))
    return None


def _told(note: str) -> str:
    return f"pull request from the default branch into itself: {note}; --base chooses another"
