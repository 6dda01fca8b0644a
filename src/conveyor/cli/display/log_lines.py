"""The executor's raw log notation (`##[group]`, `##[debug]`...) as people read it."""

from __future__ import annotations

from dataclasses import dataclass

_MARKERS = ("group", "endgroup", "debug", "error", "warning", "notice", "command")


@dataclass(frozen=True, slots=True)
class LogLine:
    kind: str  # "text" or one of _MARKERS
    text: str

    def rendered(self) -> str:
        if self.kind == "text":
            return self.text
        if self.kind == "group":
            return f"▸ {self.text}"
        if self.kind == "endgroup":
            return ""
        if self.kind == "command":
            return f"$ {self.text}"
        return f"{self.kind.capitalize()}: {self.text}"


def classify(line: str) -> LogLine:
    if line.startswith("##["):
        end = line.find("]")
        marker = line[3:end] if end > 0 else ""
        if marker in _MARKERS:
            return LogLine(marker, line[end + 1 :])
    return LogLine("text", line)
