"""Secret masking as GitHub's runner does it: every registered value and its encoded forms.

A registered value is trimmed; a multi-line value also registers each non-empty trimmed line (a
log line never holds more than one line of it). For each, the encoded variants a secret tends to
appear in are registered too: JSON-string-escaped, URI-escaped, XML-escaped, expression-string
(`'` doubled), and base64 (plus the two shifted forms found inside longer base64 text).
Occurrences are replaced by `***`; overlapping or touching occurrences become one `***`.

Values shorter than MIN_SECRET_LENGTH are not registered (the caller warns): a one-character
mask would turn every occurrence of that character into `***`. Lines of a multi-line value that
are that short are skipped silently (`{` and `}` of a JSON secret).

A line longer than the output splitter's piece size arrives in pieces; LineMasker masks it across
them, holding back at most (longest secret - 1) characters between pieces.
"""

from __future__ import annotations

import base64
import enum
import json
import re
from urllib.parse import quote

from conveyor.engine.ports.executor import MIN_SECRET_LENGTH

__all__ = ["MASK", "MIN_SECRET_LENGTH", "LineMasker", "Registration", "SecretMasker"]

MASK = "***"
_MIN_ENCODED_LENGTH = 4  # shorter encoded variants would mask ordinary text
_PATTERN_MAX = 1024  # longer secrets are not part of the pattern (see _compile)

Span = tuple[int, int]


class Registration(enum.Enum):
    ADDED = "added"
    BLANK = "blank"
    TOO_SHORT = "too short"


class SecretMasker:
    """Holds the secrets of one job and masks text."""

    def __init__(self, values: tuple[str, ...] | list[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._long: list[str] = []
        self.longest = 0
        for value in values:
            self.add(value)

    def add(self, value: str) -> Registration:
        """Register a value (and its lines and encodings), unless it is blank or too short."""
        trimmed = value.strip()
        if not trimmed:
            return Registration.BLANK
        if len(trimmed) < MIN_SECRET_LENGTH:
            return Registration.TOO_SHORT
        candidates = {trimmed}
        candidates.update(line.strip() for line in value.splitlines())
        forms = set()
        for candidate in candidates:
            if len(candidate) >= MIN_SECRET_LENGTH:
                forms.add(candidate)
                forms.update(v for v in _encodings(candidate) if len(v) >= _MIN_ENCODED_LENGTH)
        if not forms <= self._secrets:
            self._secrets |= forms
            self._pattern = None
            self.longest = max(self.longest, *map(len, forms))
        return Registration.ADDED

    def mask(self, text: str) -> str:
        if not self._secrets or not text:
            return text
        if (self._pattern or self._compile()).search(text) is None and not self._long_in(text):
            return text
        return _replace(text, self.spans(text), 0, len(text), False)[0]

    def spans(self, text: str) -> list[Span]:
        """Where secrets occur in `text`: merged (start, end) ranges, in order."""
        if not self._secrets:
            return []
        first = (self._pattern or self._compile()).search(text)
        if first is None and not self._long:
            return []
        start = 0 if first is None or self._long else first.start()
        found = []
        for secret in self._secrets:
            position = text.find(secret, start)
            while position >= 0:
                found.append((position, position + len(secret)))
                position = text.find(secret, position + 1)
        return _merged(found)

    def contains_secret(self, text: str) -> bool:
        if not self._secrets:
            return False
        return (self._pattern or self._compile()).search(text) is not None or self._long_in(text)

    def _long_in(self, text: str) -> bool:
        return any(secret in text for secret in self._long) if self._long else False

    def _compile(self) -> re.Pattern[str]:
        """One pattern for the usual secrets; compiling very long literals would take seconds
        (a long `::add-mask::` value arrives in 64 KiB pieces), so those are searched alone."""
        short = sorted((s for s in self._secrets if len(s) <= _PATTERN_MAX), key=len, reverse=True)
        self._long = [s for s in self._secrets if len(s) > _PATTERN_MAX]
        self._pattern = re.compile("|".join(re.escape(s) for s in short) if short else "(?!)")
        return self._pattern

    @property
    def empty(self) -> bool:
        return not self._secrets


class LineMasker:
    """Masks one line that arrives in pieces, as `SecretMasker.mask` masks the whole line.

    Each piece returns what can be shown now: text no secret can still straddle. The raw text
    kept between pieces is at most (longest secret - 1) characters, plus the rest of a secret
    that started before that point (shown as `***` at once).
    """

    def __init__(self, masker: SecretMasker) -> None:
        self._masker = masker
        self._raw = ""  # unmasked text from where a secret may still start
        self._done = 0  # how much of `_raw` was already shown
        self._masked_edge = False  # the text shown last ended with `***`

    def piece(self, text: str, final: bool) -> str:
        raw = self._raw + text
        safe = max(0, len(raw) - max(0, self._masker.longest - 1))
        limit = len(raw) if final else max(self._done, safe)
        shown, cut, self._masked_edge = _replace(
            raw, self._masker.spans(raw), self._done, limit, self._masked_edge
        )
        if final:
            self._raw, self._done, self._masked_edge = "", 0, False
        else:
            keep = min(safe, cut)
            self._raw, self._done = raw[keep:], cut - keep
        return shown


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _replace(
    text: str, spans: list[Span], done: int, limit: int, masked_edge: bool
) -> tuple[str, int, bool]:
    """`text[done:limit]` with each span starting before `limit` replaced (whole) by `***`.

    Returns the text, where it stopped (past `limit` when a secret straddles it) and whether it
    ended with `***`. Text before `done` was shown already, and a secret reaching into it was
    shown as `***` then: a span starting before `done` (or at it, after `***`) continues that."""
    parts: list[str] = []
    position = done
    for start, end in spans:
        if start >= limit:
            break
        if end <= done:
            continue
        if start > position:
            parts.append(text[position:start])
            masked_edge = False
        if start > done or not masked_edge:
            parts.append(MASK)
        position, masked_edge = end, True
    if position < limit:
        parts.append(text[position:limit])
        position, masked_edge = limit, False
    return "".join(parts), position, masked_edge


def _encodings(value: str) -> set[str]:
    found = {
        json.dumps(value)[1:-1],
        quote(value, safe=""),
        _xml_escape(value),
        value.replace("'", "''"),
    }
    found.update(_base64_forms(value.encode("utf-8")))
    found.discard(value)
    return found


def _base64_forms(raw: bytes) -> set[str]:
    """Base64 of `raw` at the three byte alignments it can have inside longer data.

    With `shift` unknown bytes before it, the characters that depend only on `raw` start at
    ceil(8*shift/6) and stop before the last character that would also depend on what follows.
    """
    forms = {base64.b64encode(raw).decode("ascii")}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode("ascii").rstrip("=")
        first = -(-8 * shift // 6)
        last = (8 * (shift + len(raw))) // 6
        forms.add(encoded[first:last])
    return {form for form in forms if form}


_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def _xml_escape(value: str) -> str:
    return "".join(_XML.get(ch, ch) for ch in value)
