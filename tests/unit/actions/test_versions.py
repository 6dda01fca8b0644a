from __future__ import annotations

import pytest

from conveyor.actions.versions import VersionSpecError, best_match, matches, parse_version

V = (3, 11, 7)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("3", True),
        ("3.11", True),
        ("3.11.7", True),
        ("3.11.8", False),
        ("3.12", False),
        ("3.x", True),
        ("3.11.*", True),
        ("v3.11", True),
        (">=3.9 <3.12", True),
        (">=3.9, <3.11", False),
        (">= 3.9", True),
        ("~3.11", True),
        ("~3.10", False),
        ("^3.10", True),
        ("^4", False),
        ("3.10 || 3.11", True),
        ("3.13-dev", False),
        ("3.11.0-alpha.1", False),
        ("<=3.11", True),
        (">3.11", False),
    ],
)
def test_matches(spec: str, expected: bool) -> None:
    assert matches(spec, V) is expected


def test_best_match_picks_the_highest() -> None:
    candidates = [((3, 9, 18), "a"), ((3, 12, 1), "b"), ((3, 11, 7), "c")]
    assert best_match("3", candidates) == ((3, 12, 1), "b")
    assert best_match("<3.12", candidates) == ((3, 11, 7), "c")
    assert best_match("2", candidates) is None


def test_parse_version() -> None:
    assert parse_version("v20.11.1") == (20, 11, 1)
    assert parse_version("3.13.0rc1") == (3, 13, 0)
    with pytest.raises(VersionSpecError):
        parse_version("latest")
    with pytest.raises(VersionSpecError):
        matches("lts/iron", V)
