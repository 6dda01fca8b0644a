"""Small pieces the repository-automation actions share (stale, release, secret-scan): typed
inputs with clear errors, annotations, Markdown tables."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.engine.ports.actions import ActionInvocation
from conveyor.errors import UsageError
from conveyor.model.results import Annotation, AnnotationLevel


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


def finding(
    level: str, message: str, *, file: str = "", line: int = 0, title: str = ""
) -> Annotation:
    """An annotation for ActionOutcome.annotations (level: error, warning, notice)."""
    return Annotation(AnnotationLevel(level), message, title or None, file or None, line or None)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)
