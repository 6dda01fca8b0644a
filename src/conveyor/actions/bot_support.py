"""Small pieces the repository-automation actions share (stale, release, secret-scan): typed
inputs with clear errors, the step summary, annotations as workflow commands."""

from __future__ import annotations

import os
from collections.abc import Sequence

from conveyor.engine.ports.actions import ActionInvocation
from conveyor.errors import UsageError


def csv_input(invocation: ActionInvocation, name: str, default: str = "") -> tuple[str, ...]:
    """A comma-separated (or newline-separated) input as its non-empty, stripped items."""
    raw = invocation.input(name, default).replace("\n", ",")
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def bool_input(invocation: ActionInvocation, name: str, default: bool) -> bool:
    raw = invocation.input(name, "true" if default else "false").strip().lower()
    if raw not in ("true", "false"):
        raise UsageError(f"input `{name}`: expected true or false, got {raw!r}")
    return raw == "true"


def number_input(invocation: ActionInvocation, name: str, default: float) -> float:
    raw = invocation.input(name, str(default)).strip()
    try:
        return float(raw)
    except ValueError:
        raise UsageError(f"input `{name}`: expected a number, got {raw!r}") from None


def write_summary(invocation: ActionInvocation, markdown: str) -> None:
    """Append `markdown` to the step summary (GITHUB_STEP_SUMMARY), when the step has one."""
    target = invocation.env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as summary:
        summary.write(markdown.rstrip("\n") + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, message: str, *, file: str = "", line: int = 0, title: str = "") -> str:
    """A `::warning file=…,line=…::message` workflow command (kind: error, warning, notice)."""
    properties = [("file", file), ("line", str(line) if line else ""), ("title", title)]
    shown = ",".join(f"{key}={_escape_property(value)}" for key, value in properties if value)
    return f"::{kind}{' ' + shown if shown else ''}::{_escape_data(message)}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def workspace_path(invocation: ActionInvocation, path: str) -> str:
    """`path` relative to the workspace (absolute paths stay as they are)."""
    return os.path.join(invocation.workspace, path)
