"""A deterministic local "embedding": words hashed into a fixed number of dimensions.

No model, no network: the same text always gives the same unit vector, and texts sharing words
point in similar directions, so pgvector's cosine distance ranks them meaningfully.
"""

from __future__ import annotations

import hashlib
import math
import re

EMBEDDING_DIM = 64
_WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return _WORD.findall(text.lower())


def _bucket(word: str) -> tuple[int, float]:
    """The dimension a word lands in and its sign (+1 or -1), from a stable hash."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    return number % EMBEDDING_DIM, 1.0 if (number >> 32) & 1 else -1.0


def embed(text: str) -> list[float]:
    """The L2-normalised embedding of a text; ValueError when it has no words."""
    words = tokenize(text)
    if not words:
        raise ValueError("cannot embed a text without words")
    vector = [0.0] * EMBEDDING_DIM
    for word in words:
        index, sign = _bucket(word)
        vector[index] += sign
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0.0:
        return _unit_fallback(words)
    return [value / norm for value in vector]


def _unit_fallback(words: list[str]) -> list[float]:
    """A unit vector for the rare texts whose word hashes cancel out exactly."""
    vector = [0.0] * EMBEDDING_DIM
    vector[_bucket(" ".join(words))[0]] = 1.0
    return vector
