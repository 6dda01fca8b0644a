"""The end-of-run summary written as plain text, without loading rich (it costs start-up time and
memory): the exact text rich prints to a stream that is not a terminal.

It is used only where that text is certain: no step summary (Markdown needs rich), nothing that
rich would read as markup or emoji codes, printable characters only (table cells: ASCII, whose
width is one cell each), a table that fits the width, a UTF-8 stream that rich would not treat
as a terminal. Otherwise `plain_summary` returns None and the caller renders with rich.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import TextIO

from conveyor.cli.display.summary import HEADERS, Line, Row, SummaryParts

_EMOJI_CODE = re.compile(r":\S*?:")  # what rich may replace with an emoji
_HEAVY, _LIGHT, _RULE, _CROSS = "┃", "│", "━", "╇"


def plain_summary(parts: SummaryParts, width: int | None) -> str | None:
    """The summary's text, or None when only rich can render it faithfully."""
    if parts.summaries or width is None:
        return None
    lines = list(_table(parts.rows, width) or []) if parts.rows else []
    if parts.rows and not lines:
        return None
    for line in (*parts.notes, *parts.closing):
        if not _plain_text(line.text, markup=line.markup):
            return None
        lines.append(line.text)
    return "".join(f"{line}\n" for line in lines)


def plain_width(stream: TextIO, environ: Mapping[str, str] | None = None) -> int | None:
    """The width rich would use for `stream`, or None when rich would not print plain text to
    it (a terminal, a forced one, a stream that is not UTF-8)."""
    env = os.environ if environ is None else environ
    if _rich_terminal(stream, env) or not _utf8(stream):
        return None
    width: int | None = None
    for descriptor in (0, 1, 2):  # as rich does: the first standard stream with a size
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = env.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
        if width == 0:
            return None
    return width or 80


def _rich_terminal(stream: TextIO, env: Mapping[str, str]) -> bool:
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = env.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return stream.isatty()
    except ValueError:
        return False


def _utf8(stream: TextIO) -> bool:
    encoding = (getattr(stream, "encoding", "utf-8") or "utf-8").lower()
    return encoding.startswith("utf")


def _plain_text(text: str, *, markup: bool) -> bool:
    if not text.isprintable() or text != text.rstrip() or _EMOJI_CODE.search(text):
        return False
    return not (markup and "[" in text)


def _cell(text: str) -> bool:
    """ASCII (one cell a character), single spaces between words: rich wraps nothing."""
    return text.isascii() and " ".join(text.split()) == text and _plain_text(text, markup=True)


def _table(rows: Sequence[Row], width: int) -> list[str] | None:
    cells = [HEADERS, *((row.job, row.result, row.duration) for row in rows)]
    if not all(_cell(text) for row in cells for text in row):
        return None
    widths = [max(len(row[column]) for row in cells) for column in range(3)]
    if sum(widths) + 2 * len(widths) + len(widths) - 1 > width:
        return None  # rich would shrink or wrap columns

    def line(row: Sequence[str], separator: str) -> str:
        texts = (row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]))
        return separator.join(f" {text} " for text in texts)

    rule = _CROSS.join(_RULE * (size + 2) for size in widths)
    return [line(HEADERS, _HEAVY), rule, *(line(row, _LIGHT) for row in cells[1:])]


__all__ = ["Line", "plain_summary", "plain_width"]
