"""`paths` / `paths-ignore` against an event's changed files (semantics §2.3).

`paths` passes when at least one changed file is included (last matching pattern wins);
`paths-ignore` passes unless every changed file is ignored (also last match wins, so a `!` pattern
re-includes). An empty change list never passes; an unknown one (`None`) always does, as on GitHub
when the diff is too large. Path filters are not evaluated for tag pushes.
"""

from __future__ import annotations

from conveyor.model.events import Event
from conveyor.model.triggers import EventTrigger, FilterList
from conveyor.triggers.activity import PATH_FILTER_EVENTS
from conveyor.triggers.match_result import MatchResult
from conveyor.triggers.patterns import compile_patterns

# GitHub looks only at the first 300 files of a diff; pass this as `changed_files_limit` to mimic.
GITHUB_CHANGED_FILES_LIMIT = 300


def check_path_filters(
    trigger: EventTrigger, event: Event, limit: int | None = None
) -> MatchResult | None:
    """None when no path filter applies; otherwise whether the changes pass and why."""
    if event.name not in PATH_FILTER_EVENTS or (event.name == "push" and event.tag is not None):
        return None
    paths, ignore = _given(trigger.paths), _given(trigger.paths_ignore)
    if paths is None and ignore is None:
        return None
    if paths is not None and ignore is not None:
        return MatchResult.no("paths and paths-ignore cannot both be set for one event")
    files = event.changed_files
    if files is None:
        return MatchResult.yes("the changed files are unknown, so path filters do not apply")
    files = files[:limit] if limit is not None else files
    if not files:
        return MatchResult.no("no files changed, and the workflow filters paths")
    if paths is not None:
        return _check_paths(paths, files)
    return _check_ignore(ignore, files) if ignore is not None else None


def _check_paths(filters: FilterList, files: tuple[str, ...]) -> MatchResult:
    patterns = compile_patterns(filters.patterns)
    hit = patterns.first_included(files)
    if hit is not None:
        return MatchResult.yes(f"changed file '{hit}' matches paths")
    if len(files) == 1:
        return MatchResult.no(
            f"the only changed file '{files[0]}' does not match paths {patterns.describe()}"
        )
    return MatchResult.no(
        f"none of the {len(files)} changed files match paths {patterns.describe()}"
    )


def _check_ignore(filters: FilterList, files: tuple[str, ...]) -> MatchResult:
    patterns = compile_patterns(filters.patterns)
    miss = patterns.first_excluded(files)
    if miss is not None:
        return MatchResult.yes(f"changed file '{miss}' is not matched by paths-ignore")
    if len(files) == 1:
        return MatchResult.no(f"paths-ignore matched the only changed file '{files[0]}'")
    return MatchResult.no(f"paths-ignore matched all {len(files)} changed files")


def _given(filters: FilterList | None) -> FilterList | None:
    return filters if filters is not None and filters.patterns else None
