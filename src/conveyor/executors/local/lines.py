"""Turning a process's output bytes into text lines with bounded memory.

Output is fed in chunks of any size; complete lines come out decoded as UTF-8 (bad bytes become
U+FFFD). A line longer than `max_line_bytes` is cut into pieces of at most that size (at a
character boundary), so a step that writes 100 MB without a newline never holds more than one
piece in memory, and nothing is lost. Every piece but the last of a line is a PartialLine (a str),
so that what reads the pieces (masking, workflow commands) can see the line across them.
"""

from __future__ import annotations

DEFAULT_MAX_LINE_BYTES = 64 * 1024


class PartialLine(str):
    """A piece of an over-long line: the next piece continues the same line."""

    __slots__ = ()


class LineSplitter:
    """Accumulates bytes and yields finished lines (without their line ending)."""

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        self._max = max(4, max_line_bytes)
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> list[str]:
        """Add a chunk; return every line it completes (over-long lines in pieces)."""
        pending = self._pending
        pending += chunk
        lines: list[str] = []
        last = pending.rfind(b"\n")
        if last >= 0:
            text = pending[:last].decode("utf-8", errors="replace")
            del pending[: last + 1]
            lines = text.split("\n")
            if "\r" in text:
                lines = [line[:-1] if line.endswith("\r") else line for line in lines]
            if len(text) > self._max and max(map(len, lines)) > self._max:
                lines = [piece for line in lines for piece in self._pieces(line)]
        while len(pending) > self._max:
            cut = _boundary(pending, 0, self._max)
            lines.append(PartialLine(bytes(pending[:cut]).decode("utf-8", errors="replace")))
            del pending[:cut]
        return lines

    def _pieces(self, line: str) -> list[str]:
        size = self._max
        if len(line) <= size:
            return [line]
        last = (len(line) - 1) // size * size
        return [*(PartialLine(line[i : i + size]) for i in range(0, last, size)), line[last:]]

    def flush(self) -> list[str]:
        """At end of output: the unfinished last line, if any."""
        if not self._pending:
            return []
        text = _decode(self._pending)
        self._pending = bytearray()
        return [text]


def _decode(raw: bytes | bytearray) -> str:
    text = bytes(raw).decode("utf-8", errors="replace")
    return text[:-1] if text.endswith("\r") else text


def _boundary(buffer: bytearray, start: int, cut: int) -> int:
    """Move `cut` back (at most 3 bytes) so it does not split a UTF-8 sequence."""
    for back in range(4):
        position = cut - back
        if position <= start:
            return cut
        if buffer[position] & 0xC0 != 0x80:  # not a continuation byte: a character starts here
            return position
    return cut
