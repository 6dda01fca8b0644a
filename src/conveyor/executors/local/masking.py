"""Secret masking as GitHub's runner does it: every registered value and its encoded forms.

A registered value is trimmed; a multi-line value also registers each non-empty trimmed line (a
log line never holds more than one line of it). For each, the encoded variants a secret tends to
appear in are registered too: JSON-string-escaped, URI-escaped, XML-escaped, expression-string
(`'` doubled), and base64 (plus the two shifted forms found inside longer base64 text).
Occurrences are replaced by `***`.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import quote

MASK = "***"
_MIN_ENCODED_LENGTH = 4  # shorter encoded variants would mask ordinary text


class SecretMasker:
    """Holds the secrets of one job and masks text."""

    def __init__(self, values: tuple[str, ...] | list[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    def add(self, value: str) -> bool:
        """Register a value (and its lines and encodings); False when it is blank."""
        trimmed = value.strip()
        if not trimmed:
            return False
        candidates = {trimmed}
        candidates.update(line.strip() for line in value.splitlines() if line.strip())
        before = len(self._secrets)
        for candidate in candidates:
            self._secrets.add(candidate)
            self._secrets.update(v for v in _encodings(candidate) if len(v) >= _MIN_ENCODED_LENGTH)
        if len(self._secrets) != before:
            self._pattern = None
        return True

    def mask(self, text: str) -> str:
        if not self._secrets or not text:
            return text
        pattern = self._pattern or self._compile()
        return pattern.sub(MASK, text)

    def contains_secret(self, text: str) -> bool:
        return bool(self._secrets) and (self._pattern or self._compile()).search(text) is not None

    def _compile(self) -> re.Pattern[str]:
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
        return self._pattern

    @property
    def empty(self) -> bool:
        return not self._secrets


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
