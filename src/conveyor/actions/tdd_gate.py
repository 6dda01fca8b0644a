"""`conveyor/tdd-gate`: the pull request's body proves test-first work.

The body (the event's; re-read through the API when a forge is there, so a `pull_request:
edited` run sees the edit) must hold a section (`heading`, default `## TDD Proof`) whose
checklist items are all checked (`- [x]`): `items` names them (one per line or comma-separated,
each matched case-insensitively as part of an item's text), else at least `required` (default 3)
items, every one checked. A failure lists what is missing in one comment on the pull request,
updated in place on later runs (a dry run without a forge prints it); a pass updates that comment.
Outputs: `result`, `checked` (how many items are checked), `missing` (one per line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.actions.native_support import (
    can_read,
    current_pull,
    error,
    find_sticky,
    flag,
    marker,
    names,
    pull_request,
    sticky_comment,
)
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import ForgeError
from conveyor.model.results import Conclusion

COMMENT = "tdd-gate"
_ITEM = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*?)\s*$")
_HEADING = re.compile(r"^\s{0,3}(?P<level>#{1,6})\s+(?P<title>.*?)\s*#*\s*$")


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    checked: bool


def section_items(body: str, heading: str) -> list[Item] | None:
    """The checklist items under `heading` (None when the body has no such section)."""
    wanted = _HEADING.match(heading)
    level = len(wanted.group("level")) if wanted else 2
    title = (wanted.group("title") if wanted else heading).strip().lower()
    items: list[Item] | None = None
    for line in body.splitlines():
        found = _HEADING.match(line)
        if found and items is not None and len(found.group("level")) <= level:
            break
        if found and found.group("title").strip().lower() == title and items is None:
            items = []
        elif items is not None and (item := _ITEM.match(line)):
            items.append(Item(item.group("text"), item.group("mark") != " "))
    return items


def missing_items(items: list[Item], named: list[str], required: int) -> list[str]:
    """What keeps the section from passing, one entry each."""
    if named:
        return [_named_problem(name, items) for name in named if _named_problem(name, items)]
    missing = [f"unchecked: {item.text}" for item in items if not item.checked]
    if len(items) < required:
        missing.append(f"{required - len(items)} more checklist item(s) ({required} required)")
    return missing


def _named_problem(name: str, items: list[Item]) -> str:
    found = [item for item in items if name.lower() in item.text.lower()]
    if not found:
        return f"missing: {name}"
    return "" if any(item.checked for item in found) else f"unchecked: {name}"


class TddGate:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        pull = pull_request(invocation)
        if pull is None:
            console.log("tdd-gate: not a pull request event, nothing to check")
            return ActionOutcome(outputs={"result": "skipped"})
        required = invocation.input("required", "3")
        if not required.isdigit():
            return failed(f"tdd-gate: 'required' must be a number, got {required!r}")
        rest = ForgeRest(ForgeTarget.of(invocation), console)
        try:
            body = current_pull(rest, pull).body
            return _judge(invocation, console, rest, pull.number, body, int(required))
        except ForgeError as exc:
            return failed(f"tdd-gate: {exc}")
        finally:
            rest.close()


def _judge(
    invocation: ActionInvocation,
    console: ActionConsole,
    rest: ForgeRest,
    number: int,
    body: str,
    required: int,
) -> ActionOutcome:
    heading = invocation.input("heading", "## TDD Proof")
    items = section_items(body, heading)
    named = names(invocation.input("items"))
    missing = (
        [f"the section `{heading}`"] if items is None else missing_items(items, named, required)
    )
    checked = sum(item.checked for item in items or [])
    outputs = {"result": "failure" if missing else "success", "checked": str(checked)}
    outputs["missing"] = "\n".join(missing)
    report = _report(heading, missing)
    if flag(invocation, "comment", True) and (missing or can_read(rest.target)):
        _comment(rest, console, number, report, bool(missing))
    if not missing:
        return ActionOutcome(outputs=outputs, summary=report)
    return ActionOutcome(
        status=Conclusion.FAILURE,
        outputs=outputs,
        summary=report,
        annotations=tuple(error(m, title="tdd-gate") for m in missing),
        error=f"tdd-gate: the pull request body does not prove TDD: {'; '.join(missing)}",
    )


def _report(heading: str, missing: list[str]) -> str:
    if not missing:
        return f"### TDD gate passed\n\nEvery required item under `{heading}` is checked.\n"
    lines = "\n".join(f"- {entry}" for entry in missing)
    return (
        f"### TDD gate failed\n\nThe pull request body needs a `{heading}` section whose "
        f"checklist items are all checked (`- [x]`). Missing:\n\n{lines}\n"
    )


def _comment(
    rest: ForgeRest, console: ActionConsole, number: int, report: str, failing: bool
) -> None:
    """The one comment: written on a failure, updated (never added) once the body passes."""
    if rest.target.dry_run:
        console.log(report)
    if failing:
        sticky_comment(rest, number, COMMENT, report)
        return
    found = find_sticky(rest, number, COMMENT)
    if found is not None:
        path = rest.repo_path(f"/issues/comments/{found}")
        rest.request("PATCH", path, json={"body": f"{marker(COMMENT)}\n{report}"})
