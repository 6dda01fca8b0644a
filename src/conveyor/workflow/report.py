"""Where a loader pass collects its diagnostics, and the source lines it points into."""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.errors import Diagnostic, Severity, SourceLocation
from conveyor.workflow.yaml_nodes import Node


@dataclass(slots=True)
class Report:
    """Diagnostics for one file; `text` is the file's content (for columns inside values)."""

    path: str
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def location(self, node: Node) -> SourceLocation:
        return SourceLocation(self.path, node.line, node.column)

    def error_at(self, line: int, column: int, code: str, message: str) -> None:
        location = SourceLocation(self.path, line, column)
        self.diagnostics.append(Diagnostic(location, Severity.ERROR, code, message))

    def warning_at(self, line: int, column: int, code: str, message: str) -> None:
        location = SourceLocation(self.path, line, column)
        self.diagnostics.append(Diagnostic(location, Severity.WARNING, code, message))

    def error(self, node: Node, code: str, message: str) -> None:
        self.error_at(node.line, node.column, code, message)

    def warning(self, node: Node, code: str, message: str) -> None:
        self.warning_at(node.line, node.column, code, message)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)
