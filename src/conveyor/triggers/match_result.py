"""The answer to "does this workflow run for this event?", with a reason a person understands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MatchResult:
    """`fires` and why (for a match: what matched; otherwise: what stopped it)."""

    fires: bool
    reason: str

    @classmethod
    def yes(cls, reason: str) -> MatchResult:
        return cls(True, reason)

    @classmethod
    def no(cls, reason: str) -> MatchResult:
        return cls(False, reason)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
