"""Layer 0: source locations, diagnostics and the one exception tree of conveyor.

Every error a user can cause is a `ConveyorError`; the CLI maps each class to an exit code.
A failing step is a result, not an exception.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A 1-based position in a file (line and column)."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in user input, with where it is and a stable code."""

    location: SourceLocation
    severity: Severity
    code: str
    message: str

    def render(self) -> str:
        return f"{self.location}: {self.severity}[{self.code}]: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


def error(location: SourceLocation, code: str, message: str) -> Diagnostic:
    return Diagnostic(location, Severity.ERROR, code, message)


def warning(location: SourceLocation, code: str, message: str) -> Diagnostic:
    return Diagnostic(location, Severity.WARNING, code, message)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class ConveyorError(Exception):
    """Base of every error conveyor raises on purpose. `exit_code` is the CLI's exit status."""

    exit_code = 1

    @property
    def diagnostics(self) -> Sequence[Diagnostic]:
        return ()


class UsageError(ConveyorError):
    """Bad command-line usage or configuration (exit 2)."""

    exit_code = 2


class ReviewRefused(UsageError):
    """A deployment review this reviewer may not make (not a required reviewer, self-review)."""


class NotFound(UsageError):
    """What a command or request names does not exist (a run, an approval waiting, ...)."""


class WorkflowError(ConveyorError):
    """A workflow (or action) file is invalid; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic], message: str | None = None) -> None:
        self._diagnostics = tuple(diagnostics)
        text = message or "\n".join(d.render() for d in self._diagnostics) or "invalid workflow"
        super().__init__(text)

    @property
    def diagnostics(self) -> Sequence[Diagnostic]:
        return self._diagnostics


class ExpressionError(ConveyorError):
    """Base of the two expression errors; `expression` is the source text."""

    def __init__(self, message: str, expression: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.position = position


class ExpressionSyntaxError(ExpressionError):
    """The expression cannot be parsed. `position` is 1-based within the expression."""


class ExpressionEvaluationError(ExpressionError):
    """The expression parsed but failed while being evaluated."""


class PlanError(ConveyorError):
    """A run cannot be planned (bad matrix, unknown job, unsatisfiable needs...)."""


class InfrastructureError(ConveyorError):
    """Something conveyor needs from the machine is missing or failed (a tool, a port, a disk)."""


class StoreError(ConveyorError):
    """The run store failed or holds something unexpected."""


class ForgeError(ConveyorError):
    """The code forge (GitHub or a fake) refused or failed a request."""


def decode_utf8(data: bytes, path: str) -> str:
    """`data` (the bytes of the file `path`) as UTF-8 text; a `UsageError` naming the file, the
    line and the column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        where = SourceLocation(path, data.count(b"\n", 0, exc.start) + 1, column)
        raise UsageError(f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
