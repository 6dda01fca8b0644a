from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from conveyor.executors.local.masking import (
    MIN_SECRET_LENGTH,
    LineMasker,
    Registration,
    SecretMasker,
)


def test_plain_value_and_trimming() -> None:
    masker = SecretMasker(["  s3cr3t-value \n"])
    assert masker.mask("token=s3cr3t-value;") == "token=***;"


def test_multiline_secret_is_masked_line_by_line() -> None:
    masker = SecretMasker(["-----BEGIN KEY-----\nabcdefgh\n-----END KEY-----\n"])
    assert masker.mask("abcdefgh") == "***"
    assert masker.mask("x -----END KEY----- y") == "x *** y"


def test_json_uri_and_quote_forms() -> None:
    secret = "pa\"ss wo\\rd'"
    masker = SecretMasker([secret])
    assert masker.mask(json.dumps({"p": secret})) == '{"p": "***"}'
    assert masker.mask("url?p=pa%22ss%20wo%5Crd%27") == "url?p=***"
    assert masker.mask("'pa\"ss wo\\rd'''") == "'***'"


def test_xml_escaped_form_is_masked_whole() -> None:
    secret = "a<b>&\"c'd-XYZ"
    escaped = "a&lt;b&gt;&amp;&quot;c&apos;d-XYZ"
    masker = SecretMasker([secret])
    assert masker.mask(f"<value>{escaped}</value>") == "<value>***</value>"


def _secret_only_characters(prefix: int, size: int) -> tuple[int, int]:
    """The base64 characters of `prefix + secret + ...` that depend on the secret's bytes only."""
    return -(-8 * prefix // 6), (8 * (prefix + size)) // 6


def test_base64_forms_inside_longer_base64() -> None:
    secret = "hunter2-secret"
    masker = SecretMasker([secret])
    assert masker.mask(base64.b64encode(secret.encode()).decode()) == "***"
    for prefix in (b"a", b"ab", b"abc", b"abcd"):
        encoded = base64.b64encode(prefix + secret.encode() + b"tail").decode()
        first, last = _secret_only_characters(len(prefix), len(secret))
        assert masker.mask(encoded) == encoded[:first] + "***" + encoded[last:]


def test_blank_values_are_refused_and_empty_masker_is_identity() -> None:
    masker = SecretMasker()
    assert masker.add("   ") is Registration.BLANK
    assert masker.empty
    assert masker.mask("anything") == "anything"


def test_longest_match_wins() -> None:
    masker = SecretMasker(["abc", "abcdef"])
    assert masker.mask("xabcdefx") == "x***x"


def test_overlapping_and_adjacent_secrets_are_masked_as_one() -> None:
    masker = SecretMasker(["XXXXYYYY", "YYYYZZZZZZZZ"])
    assert masker.mask("-XXXXYYYYZZZZZZZZ-") == "-***-"
    assert masker.mask("XXXXYYYYXXXXYYYY!") == "***!"


def test_values_shorter_than_the_minimum_are_not_registered() -> None:
    masker = SecretMasker()
    assert MIN_SECRET_LENGTH == 3
    assert masker.add("a") is Registration.TOO_SHORT
    assert masker.add(" ab ") is Registration.TOO_SHORT
    assert masker.add("   ") is Registration.BLANK
    assert masker.empty
    assert masker.mask("banana bread") == "banana bread"
    assert masker.add("abc") is Registration.ADDED
    assert masker.mask("abcd") == "***d"


def test_short_lines_of_a_multiline_value_are_skipped() -> None:
    masker = SecretMasker(['{\n  "key": "long-secret-value"\n}\n'])
    assert masker.mask("{ a }") == "{ a }"
    assert masker.mask('"key": "long-secret-value"') == "***"


def test_contains_secret() -> None:
    masker = SecretMasker(["needle"])
    assert masker.contains_secret("hay needle hay")
    assert not masker.contains_secret("hay")


@given(
    st.text(min_size=MIN_SECRET_LENGTH, max_size=30).filter(
        lambda s: len(s.strip()) >= MIN_SECRET_LENGTH and "\n" not in s and "\r" not in s
    ),
    st.text(max_size=20),
    st.text(max_size=20),
)
def test_a_secret_never_survives(secret: str, before: str, after: str) -> None:
    masker = SecretMasker([secret])
    assert secret.strip() not in masker.mask(before + secret.strip() + after)


def _stream(masker: SecretMasker, pieces: list[str]) -> list[str]:
    line = LineMasker(masker)
    shown = [line.piece(piece, final=False) for piece in pieces[:-1]]
    return [*shown, line.piece(pieces[-1], final=True)]


def test_a_secret_across_pieces_of_a_line_is_masked_whole() -> None:
    secret = "s3cr3t-VALUE_123"
    masker = SecretMasker([secret])
    text = "x" * 40 + secret + "y" * 40
    for cut in range(30, 60):
        shown = _stream(masker, [text[:cut], text[cut:]])
        assert "".join(shown) == "x" * 40 + "***" + "y" * 40, cut


def test_pieces_hold_back_no_more_than_the_longest_secret() -> None:
    masker = SecretMasker(["0123456789"])
    held = masker.longest - 1  # the longest registered form is the base64 one
    assert held == len(base64.b64encode(b"0123456789")) - 1
    line = LineMasker(masker)
    assert line.piece("a" * 100, final=False) == "a" * (100 - held)
    assert line.piece("b" * 100, final=False) == "a" * held + "b" * (100 - held)
    assert line.piece("", final=True) == "b" * held


def test_pieces_without_secrets_pass_through() -> None:
    assert _stream(SecretMasker(), ["abc", "def", "g"]) == ["abc", "def", "g"]


@given(
    st.text(alphabet="ab c", min_size=3, max_size=8).filter(lambda s: len(s.strip()) >= 3),
    st.text(alphabet="ab c", min_size=3, max_size=8).filter(lambda s: len(s.strip()) >= 3),
    st.text(alphabet="ab cd", max_size=60),
    st.lists(st.integers(0, 60), max_size=6),
)
def test_pieces_mask_as_the_whole_line_does(
    first: str, second: str, text: str, cuts: list[int]
) -> None:
    masker = SecretMasker([first, second])
    bounds = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *bounds], [*bounds, len(text)], strict=True)]
    assert "".join(_stream(masker, pieces)) == masker.mask(text)


def test_very_long_values_are_masked_too() -> None:
    value = "".join(chr(0x3B1 + i * 7 % 24) for i in range(5000))
    masker = SecretMasker([value, "short-secret"])
    assert masker.mask(f"a{value}b short-secret") == "a***b ***"
    assert masker.contains_secret(f"[{value}]")
    assert not masker.contains_secret(value[:-1])
    text = "x" * 3000 + value + "y"
    assert (
        "".join(_stream(masker, [text[:4000], text[4000:7000], text[7000:]])) == "x" * 3000 + "***y"
    )
