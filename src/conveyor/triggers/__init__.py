"""Layer 3: which workflows an event triggers, and the `github` context it gives them. Pure.

Public API (the engine and the CLI use these names):
- `patterns_match(patterns, candidate)`: GitHub filter patterns, last match wins.
- `match_workflow(triggers, event) -> MatchResult(fires, reason)`.
- `event_for_workflow(event, triggers, workflow_path=...)`: dispatch inputs / cron filled in.
- `github_context(event, ...)`, `github_env(context)`.
- `resolve_dispatch_inputs(trigger_inputs, given)`, `resolve_call_inputs(...)`.
- `ref_from_payload(event_name, payload, ...)`: `github.ref` for a webhook payload.
- `cron_problem`, `cron_matches`, `next_run`, `previous_run`: schedule entries (loaded on first
  use: the schedule module brings zoneinfo and cronsim, which most commands never need).
"""

from typing import TYPE_CHECKING

from conveyor.triggers.activity import DEFAULT_TYPES, KNOWN_EVENTS, skip_marker
from conveyor.triggers.binding import event_for_workflow
from conveyor.triggers.context import github_context, github_env
from conveyor.triggers.inputs import input_strings, resolve_call_inputs, resolve_dispatch_inputs
from conveyor.triggers.match_result import MatchResult
from conveyor.triggers.matching import match_workflow
from conveyor.triggers.path_filters import GITHUB_CHANGED_FILES_LIMIT
from conveyor.triggers.patterns import PatternList, compile_patterns, patterns_match
from conveyor.triggers.refs import pull_request_branches, ref_from_payload

if TYPE_CHECKING:
    from conveyor.triggers.schedule import cron_matches, cron_problem, next_run, previous_run

_SCHEDULE_NAMES = frozenset({"cron_matches", "cron_problem", "next_run", "previous_run"})


def __getattr__(name: str) -> object:
    if name in _SCHEDULE_NAMES:
        from conveyor.triggers import schedule

        return getattr(schedule, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_TYPES",
    "GITHUB_CHANGED_FILES_LIMIT",
    "KNOWN_EVENTS",
    "MatchResult",
    "PatternList",
    "compile_patterns",
    "cron_matches",
    "cron_problem",
    "event_for_workflow",
    "github_context",
    "github_env",
    "input_strings",
    "match_workflow",
    "next_run",
    "patterns_match",
    "previous_run",
    "pull_request_branches",
    "ref_from_payload",
    "resolve_call_inputs",
    "resolve_dispatch_inputs",
    "skip_marker",
]
