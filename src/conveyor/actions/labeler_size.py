"""Size labels for a pull request: its changed lines (additions + deletions, ignored files such
as lock files left out) against thresholds. By default XS < 10, S < 50, M < 200, L < 500,
XL ≥ 500, labelled `size/XS` … `size/XL`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conveyor.actions.minimatch import compile_glob
from conveyor.actions.native_support import names
from conveyor.engine.ports.actions import ActionInvocation

THRESHOLDS = (10, 50, 200, 500)
LABELS = ("size/XS", "size/S", "size/M", "size/L", "size/XL")
IGNORED = (
    "**/*.lock",
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/pnpm-lock.yaml",
    "**/go.sum",
)


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    additions: int = 0
    deletions: int = 0


@dataclass(frozen=True, slots=True)
class SizePolicy:
    thresholds: tuple[int, ...] = THRESHOLDS
    labels: tuple[str, ...] = LABELS
    ignored: tuple[str, ...] = IGNORED

    @classmethod
    def of(cls, invocation: ActionInvocation) -> SizePolicy | str:
        """The inputs `size-thresholds`, `size-labels-names`, `size-ignore` (an error message
        when they do not fit together)."""
        limits = names(invocation.input("size-thresholds", ",".join(map(str, THRESHOLDS))))
        labels = names(invocation.input("size-label-names", ",".join(LABELS)))
        ignore = invocation.input("size-ignore", "\n".join(IGNORED))
        if not all(limit.isdigit() for limit in limits) or len(labels) != len(limits) + 1:
            return (
                "labeler: 'size-thresholds' must be increasing numbers, one fewer than "
                f"'size-label-names' (got {limits} and {labels})"
            )
        numbers = tuple(int(limit) for limit in limits)
        if list(numbers) != sorted(set(numbers)):
            return f"labeler: 'size-thresholds' must be increasing, got {limits}"
        return cls(numbers, tuple(labels), tuple(names(ignore)))

    def counted_lines(self, changes: Sequence[FileChange]) -> int:
        globs = [compile_glob(pattern) for pattern in self.ignored]
        return sum(
            change.additions + change.deletions
            for change in changes
            if not any(glob.match(change.path) for glob in globs)
        )

    def label(self, lines: int) -> str:
        for limit, label in zip(self.thresholds, self.labels, strict=False):
            if lines < limit:
                return label
        return self.labels[-1]
