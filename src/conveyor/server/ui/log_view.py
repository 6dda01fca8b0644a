"""A step's log as HTML: ANSI SGR colours to spans, `::group::`/`##[group]` folded into
<details>, a leading ISO timestamp in its own span, everything else escaped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_OTHER_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-ln-z]|\x1b\][^\x07]*\x07")
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ")
_GROUP = re.compile(r"^(?:::group::|##\[group\])(.*)$")
_END_GROUP = re.compile(r"^(?:::endgroup::|##\[endgroup\])\s*$")
_COMMAND = re.compile(r"^::(error|warning|notice|debug)[^:]*::(.*)$")
_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


@dataclass
class _Style:
    fg: str | None = None
    bold: bool = False

    def classes(self) -> str:
        names = [f"fg-{self.fg}"] if self.fg else []
        return " ".join([*names, "bold"] if self.bold else names)

    def apply(self, codes: str) -> None:
        for part in codes.split(";") if codes else ["0"]:
            self._code(int(part) if part.isdigit() else 0)

    def _code(self, code: int) -> None:
        if code == 0:
            self.fg, self.bold = None, False
        elif code == 1:
            self.bold = True
        elif code == 22:
            self.bold = False
        elif 30 <= code <= 37 or 90 <= code <= 97:
            self.fg = ("bright-" if code >= 90 else "") + _COLOURS[code % 10]
        elif code == 39:
            self.fg = None


def ansi_html(text: str, style: _Style) -> str:
    """One line with its SGR codes as spans (the style carries on to the next line)."""
    out: list[str] = []
    position = 0
    text = _OTHER_ESCAPES.sub("", text)
    for match in _SGR.finditer(text):
        out.append(_span(text[position : match.start()], style))
        style.apply(match.group(1))
        position = match.end()
    out.append(_span(text[position:], style))
    return "".join(out)


def _span(text: str, style: _Style) -> str:
    if not text:
        return ""
    classes = style.classes()
    return f'<span class="{classes}">{escape(text)}</span>' if classes else escape(text)


@dataclass
class _Writer:
    out: list[str] = field(default_factory=list)
    style: _Style = field(default_factory=_Style)
    number: int = 0
    in_group: bool = False

    def line(self, raw: str) -> None:
        if (opened := _GROUP.match(raw)) is not None:
            self._open(opened.group(1))
        elif _END_GROUP.match(raw):
            self._close()
        else:
            self._row(raw)

    def _open(self, title: str) -> None:
        self._close()
        self.number += 1
        self.out.append(
            f'<details class="group"><summary class="line" data-n="{self.number}">'
            f"{ansi_html(title, self.style)}</summary>"
        )
        self.in_group = True

    def _close(self) -> None:
        if self.in_group:
            self.out.append("</details>")
            self.in_group = False

    def _row(self, raw: str) -> None:
        self.number += 1
        stamp = _STAMP.match(raw)
        prefix = f'<span class="ts">{stamp.group(1)}</span>' if stamp else ""
        body = raw[stamp.end() :] if stamp else raw
        command = _COMMAND.match(body)
        kind = f" cmd-{command.group(1)}" if command else ""
        shown = command.group(2) if command else body
        self.out.append(
            f'<div class="line{kind}" data-n="{self.number}">{prefix}'
            f"{ansi_html(shown, self.style)}</div>"
        )


def log_html(text: str) -> str:
    """The whole log of a step as HTML (lines are `div.line`, groups `details.group`)."""
    return live_log_html(text).html


@dataclass(frozen=True, slots=True)
class LogHtml:
    html: str
    lines: int  # the number of the last line shown
    in_group: bool  # the text ended inside a `::group::` (closed in `html`)


def live_log_html(text: str) -> LogHtml:
    """`log_html` and where it ended, for a live log to continue (`LiveLog`)."""
    writer = _Writer()
    for raw in text.splitlines():
        writer.line(raw)
    in_group = writer.in_group
    writer.line("::endgroup::")
    return LogHtml("".join(writer.out), writer.number, in_group)


class LiveLog:
    """A followed log rendered line by line, continuing a render that showed `lines` lines
    (ending inside a group when `in_group`): each raw line gives ("line", a `div.line`),
    ("group", a `details.group` to append the next lines to) or ("endgroup", "")."""

    def __init__(self, lines: int = 0, in_group: bool = False) -> None:
        self._writer = _Writer(number=lines, in_group=in_group)

    def events(self, raw: str) -> list[tuple[str, str]]:
        self._writer.line(raw)
        pieces, self._writer.out = self._writer.out, []
        return [_event(piece) for piece in pieces]


def _event(piece: str) -> tuple[str, str]:
    if piece == "</details>":
        return "endgroup", ""
    if piece.startswith("<details"):
        return "group", piece + "</details>"
    return "line", piece
