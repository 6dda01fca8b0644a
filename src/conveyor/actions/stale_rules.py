"""conveyor/stale's rules: actions/stale's inputs read once per kind (issues, pull requests),
and what to do with one open issue or pull request at a given time (pure decisions)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conveyor import clock
from conveyor.actions.native_support import flag, listed, number
from conveyor.engine.ports.actions import ActionInvocation
from conveyor.errors import UsageError

DAY = 86400.0
NOW_ENV = "CONVEYOR_STALE_NOW"  # the clock override: ISO 8601 or seconds since the epoch
UPDATE_TOLERANCE = 15.0  # seconds: the stale label's own update is not an update (as actions/stale)


class Kind(enum.StrEnum):
    ISSUE = "issue"
    PR = "pr"


@dataclass(frozen=True, slots=True)
class Rules:
    """What actions/stale calls the options, for one kind."""

    stale_days: float  # < 0: never marked stale
    close_days: float  # < 0: never closed
    stale_label: str
    close_label: str
    stale_message: str
    close_message: str
    exempt_labels: frozenset[str]
    exempt_assignees: frozenset[str]
    exempt_all_assignees: bool
    exempt_milestones: frozenset[str]
    exempt_all_milestones: bool
    exempt_draft: bool
    remove_when_updated: bool
    only_labels: frozenset[str] = frozenset()  # all of them needed
    any_of_labels: frozenset[str] = frozenset()  # one of them needed


def _days(invocation: ActionInvocation, kind: Kind, general: str, default: float) -> float:
    """`days-before-issue-stale` over `days-before-stale` over the default."""
    word = "issue" if kind is Kind.ISSUE else "pr"
    specific = general.replace("-before-", f"-before-{word}-")
    fallback = number(invocation, general, default)
    return number(invocation, specific, fallback)


def _either(invocation: ActionInvocation, kind: Kind, general: str, default: bool) -> bool:
    word = "issue" if kind is Kind.ISSUE else "pr"
    specific = general.replace("stale-", f"{word}-stale-", 1).replace("all-", f"all-{word}-", 1)
    fallback = flag(invocation, general, default)
    return flag(invocation, specific, fallback)


def rules_for(invocation: ActionInvocation, kind: Kind) -> Rules:
    word = "issue" if kind is Kind.ISSUE else "pr"

    def names(name: str) -> frozenset[str]:
        return frozenset(listed(invocation, name))

    return Rules(
        stale_days=_days(invocation, kind, "days-before-stale", 60),
        close_days=_days(invocation, kind, "days-before-close", 7),
        stale_label=invocation.input(f"stale-{word}-label", "Stale"),
        close_label=invocation.input(f"close-{word}-label"),
        stale_message=invocation.input(f"stale-{word}-message"),
        close_message=invocation.input(f"close-{word}-message"),
        exempt_labels=names(f"exempt-{word}-labels"),
        exempt_assignees=names("exempt-assignees") | names(f"exempt-{word}-assignees"),
        exempt_all_assignees=_either(invocation, kind, "exempt-all-assignees", False),
        exempt_milestones=names("exempt-milestones") | names(f"exempt-{word}-milestones"),
        exempt_all_milestones=_either(invocation, kind, "exempt-all-milestones", False),
        exempt_draft=kind is Kind.PR and flag(invocation, "exempt-draft-pr", False),
        remove_when_updated=_either(invocation, kind, "remove-stale-when-updated", True),
        only_labels=names(f"only-{word}-labels") or names("only-labels"),
        any_of_labels=names(f"any-of-{word}-labels") or names("any-of-labels"),
    )


def now_of(invocation: ActionInvocation) -> float:
    """The time the run judges by: CONVEYOR_STALE_NOW when set (tests), else the process's clock
    (a served run's: the server's, conveyor/clock.py)."""
    raw = invocation.env.get(NOW_ENV, "").strip()
    if not raw:
        return clock.now()
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise UsageError(f"{NOW_ENV}: expected ISO 8601 or epoch seconds, got {raw!r}") from None


def timestamp(text: str | None) -> float:
    """A GitHub timestamp (`2026-01-02T03:04:05Z`) as epoch seconds; 0 when absent."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else 0.0


def kind_of(item: Mapping[str, Any]) -> Kind:
    return Kind.PR if item.get("pull_request") else Kind.ISSUE


def label_names(item: Mapping[str, Any]) -> set[str]:
    return {str(label.get("name")) for label in item.get("labels") or ()}


def exemption(item: Mapping[str, Any], rules: Rules, draft: bool) -> str | None:
    """Why `item` is exempt (or out of scope), or None."""
    labels = label_names(item)
    if not rules.only_labels <= labels:
        return "not all of only-labels"
    if rules.any_of_labels and not rules.any_of_labels & labels:
        return "none of any-of-labels"
    exempt = labels & rules.exempt_labels
    if exempt:
        return f"exempt label {sorted(exempt)[0]!r}"
    assignees = {str(a.get("login")) for a in item.get("assignees") or ()}
    if assignees and (rules.exempt_all_assignees or assignees & rules.exempt_assignees):
        return "exempt assignee"
    milestone = (item.get("milestone") or {}).get("title")
    if milestone and (rules.exempt_all_milestones or milestone in rules.exempt_milestones):
        return f"exempt milestone {milestone!r}"
    if rules.exempt_draft and draft:
        return "draft pull request"
    return None


def due(since: float, days: float, now: float) -> bool:
    """`days` (≥ 0) have passed between `since` and `now`."""
    return days >= 0 and now - since >= days * DAY


def updated_since_marked(updated_at: float, marked_at: float, commented: bool) -> bool:
    """Someone touched the item after it was marked stale (a comment, an edit)."""
    return commented or updated_at - marked_at > UPDATE_TOLERANCE
