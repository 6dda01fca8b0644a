"""What conveyor's repository-automation actions share: list inputs, the event's pull request,
Markdown tables, annotations, sticky comments (one comment found by a hidden marker, updated in
place)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.engine.ports.actions import ActionInvocation
from conveyor.errors import UsageError
from conveyor.model.results import Annotation, AnnotationLevel


def flag(invocation: ActionInvocation, name: str, default: bool) -> bool:
    """A boolean input as `core.getBooleanInput` reads it: true or false (any case), else an
    error naming the input."""
    raw = invocation.input(name, "true" if default else "false").strip().lower()
    if raw not in ("true", "false"):
        raise UsageError(f"input `{name}`: expected true or false, got {raw!r}")
    return raw == "true"


def number(invocation: ActionInvocation, name: str, default: float) -> float:
    raw = invocation.input(name, str(default)).strip()
    try:
        return float(raw)
    except ValueError:
        raise UsageError(f"input `{name}`: expected a number, got {raw!r}") from None


def listed(invocation: ActionInvocation, name: str, default: str = "") -> tuple[str, ...]:
    """A list input (a JSON array, or items separated by commas or new lines)."""
    return tuple(names(invocation.input(name, default)))


def names(text: str) -> list[str]:
    """A list input: a JSON array, or names separated by commas or new lines."""
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(item).strip() for item in parsed if str(item).strip()]
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def event(invocation: ActionInvocation) -> Mapping[str, Any]:
    payload = invocation.github.get("event")
    return payload if isinstance(payload, Mapping) else {}


@dataclass(frozen=True, slots=True)
class PullRequest:
    """The event's pull request, as far as the payload tells."""

    number: int
    body: str
    base_ref: str
    head_ref: str
    base_sha: str
    head_sha: str
    labels: tuple[str, ...]


def pull_request(invocation: ActionInvocation) -> PullRequest | None:
    """The event's pull request (`pr-number` input over the payload's); None without one."""
    pull = event(invocation).get("pull_request")
    pull = pull if isinstance(pull, Mapping) else {}
    wanted = invocation.input("pr-number") or str(pull.get("number") or "")
    if not wanted.strip().isdigit():
        return None
    return _pull(int(wanted), pull)


def current_pull(rest: ForgeRest, pull: PullRequest) -> PullRequest:
    """The pull request as the forge has it now (the payload's when there is no forge)."""
    if not can_read(rest.target):
        return pull
    return _pull(pull.number, rest.get(rest.repo_path(f"/pulls/{pull.number}")))


def _pull(number: int, pull: Mapping[str, Any]) -> PullRequest:
    base, head = _mapping(pull.get("base")), _mapping(pull.get("head"))
    return PullRequest(
        number=number,
        body=str(pull.get("body") or ""),
        base_ref=str(base.get("ref") or ""),
        head_ref=str(head.get("ref") or ""),
        base_sha=str(base.get("sha") or ""),
        head_sha=str(head.get("sha") or ""),
        labels=tuple(label_names(pull.get("labels"))),
    )


def label_names(labels: object) -> list[str]:
    if not isinstance(labels, list):
        return []
    return [str(item.get("name")) for item in labels if isinstance(item, Mapping)]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def can_read(target: ForgeTarget) -> bool:
    """A forge to read from: its API URL and a token (dry runs still read)."""
    return bool(target.api_url and target.repository and target.token)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table, ending with a new line."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def warning(message: str, title: str | None = None, file: str | None = None) -> Annotation:
    return Annotation(AnnotationLevel.WARNING, message, title=title, file=file)


def error(message: str, title: str | None = None, file: str | None = None) -> Annotation:
    return Annotation(AnnotationLevel.ERROR, message, title=title, file=file)


def finding(
    level: str, message: str, *, file: str = "", line: int = 0, title: str = ""
) -> Annotation:
    """An annotation at `file:line` (level: error, warning, notice)."""
    return Annotation(AnnotationLevel(level), message, title or None, file or None, line or None)


def marker(name: str) -> str:
    """The hidden marker of an action's sticky comment."""
    return f"<!-- conveyor:{name} -->"


def sticky_comment(rest: ForgeRest, number: int, name: str, body: str) -> str:
    """Write the action's one comment on issue/PR `number`: update the comment carrying its
    marker, else create it. Returns what was done ('created', 'updated')."""
    text = f"{marker(name)}\n{body}"
    found = find_sticky(rest, number, name)
    if found is not None:
        rest.request("PATCH", rest.repo_path(f"/issues/comments/{found}"), json={"body": text})
        return "updated"
    rest.request("POST", rest.repo_path(f"/issues/{number}/comments"), json={"body": text})
    return "created"


def find_sticky(rest: ForgeRest, number: int, name: str) -> int | None:
    """The id of the action's comment on `number` (None when there is none, or no forge)."""
    if not can_read(rest.target):
        return None
    for comment in rest.paginate(rest.repo_path(f"/issues/{number}/comments")):
        if marker(name) in str(comment.get("body") or ""):
            return int(comment["id"])
    return None
