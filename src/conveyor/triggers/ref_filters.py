"""`branches` / `branches-ignore` / `tags` / `tags-ignore` against an event's ref (semantics §2.3).

push: a branch push is judged by the branch filters only and a tag push by the tag filters only; a
workflow that filters only the other kind does not run; without ref filters every ref passes.
pull_request(_target): branch filters look at the base branch. workflow_run: at the upstream run's
head branch. Names are short (`main`, `v1.2`).
"""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.model.events import Event
from conveyor.model.triggers import EventTrigger, FilterList
from conveyor.triggers.activity import BASE_BRANCH_EVENTS
from conveyor.triggers.match_result import MatchResult
from conveyor.triggers.patterns import compile_patterns


def check_ref_filters(trigger: EventTrigger, event: Event) -> MatchResult | None:
    """None when no ref filter applies; otherwise whether the ref passes and why."""
    if event.name == "push":
        return _check_push(trigger, event)
    if event.name in BASE_BRANCH_EVENTS:
        return _check_branch(trigger, event.base_ref, "base branch")
    if event.name == "workflow_run":
        run = event.payload.get("workflow_run")
        head = run.get("head_branch") if isinstance(run, Mapping) else None
        return _check_branch(trigger, head if isinstance(head, str) else None, "head branch")
    return None


_Lists = tuple[FilterList | None, FilterList | None]


def _check_push(trigger: EventTrigger, event: Event) -> MatchResult | None:
    branches: _Lists = (trigger.branches, trigger.branches_ignore)
    tags: _Lists = (trigger.tags, trigger.tags_ignore)
    if event.tag is not None:
        subject = f"tag '{event.tag}'"
        return _check_pushed(subject, event.tag, ("tags", tags), ("branches", branches))
    if event.branch is not None:
        subject = f"branch '{event.branch}'"
        return _check_pushed(subject, event.branch, ("branches", branches), ("tags", tags))
    return None


def _check_pushed(
    subject: str, name: str, own: tuple[str, _Lists], other: tuple[str, _Lists]
) -> MatchResult | None:
    """Judge a pushed ref by its own kind's filters; with only the other kind's filters: no run."""
    key, (include, ignore) = own
    if _given(include) or _given(ignore):
        return check_name(subject, name, key, include, ignore)
    other_key, other_lists = other
    if any(_given(filters) for filters in other_lists):
        return MatchResult.no(f"{subject} was pushed, but the workflow filters only {other_key}")
    return None


def _check_branch(trigger: EventTrigger, branch: str | None, what: str) -> MatchResult | None:
    if not (_given(trigger.branches) or _given(trigger.branches_ignore)):
        return None
    if branch is None:
        return MatchResult.yes(f"the {what} is unknown, so branch filters do not apply")
    subject = f"{what} '{branch}'"
    return check_name(subject, branch, "branches", trigger.branches, trigger.branches_ignore)


def check_name(
    subject: str,
    name: str,
    key: str,
    include: FilterList | None,
    ignore: FilterList | None,
) -> MatchResult:
    """Judge one short ref name by a `key` list and/or its `key-ignore` list."""
    if _given(include) and _given(ignore):
        return MatchResult.no(f"{key} and {key}-ignore cannot both be set for one event")
    if include is not None and include.patterns:
        return _check_include(subject, name, key, include)
    if ignore is not None and ignore.patterns:
        return _check_ignore(subject, name, f"{key}-ignore", ignore)
    return MatchResult.yes(f"{subject}: no {key} filter")


def _check_include(subject: str, name: str, key: str, filters: FilterList) -> MatchResult:
    patterns = compile_patterns(filters.patterns)
    decider = patterns.deciding_pattern(name)
    if patterns.includes(name):
        shown = f"'{decider.text}'" if decider is not None else patterns.describe()
        return MatchResult.yes(f"{subject} matches {shown} in {key}")
    if decider is not None and decider.negative:
        return MatchResult.no(f"{subject} is excluded by '{decider.text}' in {key}")
    return MatchResult.no(f"{subject} is not in {key} {patterns.describe()}")


def _check_ignore(subject: str, name: str, key: str, filters: FilterList) -> MatchResult:
    patterns = compile_patterns(filters.patterns)
    if patterns.includes(name):
        decider = patterns.deciding_pattern(name)
        shown = f"'{decider.text}'" if decider is not None else patterns.describe()
        return MatchResult.no(f"{subject} matches {shown} in {key}")
    return MatchResult.yes(f"{subject} is not in {key} {patterns.describe()}")


def _given(filters: FilterList | None) -> bool:
    return filters is not None and bool(filters.patterns)
