from __future__ import annotations

import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from conveyor.executors.local.masking import SecretMasker


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


def test_base64_forms_inside_longer_base64() -> None:
    secret = "hunter2-secret"
    masker = SecretMasker([secret])
    assert masker.mask(base64.b64encode(secret.encode()).decode()) == "***"
    for prefix in (b"a", b"ab", b"abc"):
        encoded = base64.b64encode(prefix + secret.encode() + b"tail").decode()
        assert "***" in masker.mask(encoded)


def test_blank_values_are_refused_and_empty_masker_is_identity() -> None:
    masker = SecretMasker()
    assert masker.add("   ") is False
    assert masker.empty
    assert masker.mask("anything") == "anything"


def test_longest_match_wins() -> None:
    masker = SecretMasker(["abc", "abcdef"])
    assert masker.mask("xabcdefx") == "x***x"


def test_contains_secret() -> None:
    masker = SecretMasker(["needle"])
    assert masker.contains_secret("hay needle hay")
    assert not masker.contains_secret("hay")


@given(
    st.text(min_size=1, max_size=30).filter(
        lambda s: s.strip() and "\n" not in s and "\r" not in s
    ),
    st.text(max_size=20),
    st.text(max_size=20),
)
def test_a_secret_never_survives(secret: str, before: str, after: str) -> None:
    masker = SecretMasker([secret])
    assert secret.strip() not in masker.mask(before + secret.strip() + after)
