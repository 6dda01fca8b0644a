"""The deterministic hashing embedding."""

from __future__ import annotations

import math

import pytest

from app.embedding import EMBEDDING_DIM, _unit_fallback, embed, tokenize


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embedding_has_the_fixed_dimension_and_unit_length() -> None:
    vector = embed("Solar panels for a bakery")
    assert len(vector) == EMBEDDING_DIM
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)


def test_embedding_is_deterministic_and_case_insensitive() -> None:
    assert embed("Heat Pumps, factories!") == embed("heat pumps factories")


def test_texts_sharing_words_are_closer_than_unrelated_texts() -> None:
    query = embed("electric vans")
    related = embed("electric delivery vans and trucks")
    unrelated = embed("soil carbon on farms")
    assert cosine(query, related) > cosine(query, unrelated)


def test_a_text_without_words_cannot_be_embedded() -> None:
    with pytest.raises(ValueError, match="without words"):
        embed("?!  ...")


def test_tokenize_keeps_lowercase_words_and_numbers() -> None:
    assert tokenize("CO2 cuts: 50% by 2030") == ["co2", "cuts", "50", "by", "2030"]


def test_words_whose_hashes_cancel_out_still_get_a_unit_vector() -> None:
    # "w3" and "w18" land in the same dimension with opposite signs: the sum is the zero vector.
    vector = embed("w3 w18")
    assert vector == _unit_fallback(["w3", "w18"])
    assert sorted(vector)[-1] == 1.0
    assert sum(vector) == 1.0
