"""Remote URLs → the repository's GitHub identity."""

from __future__ import annotations

import pytest

from conveyor.git.identity import parse_remote_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/app.git", ("https://github.com", "octo", "app")),
        ("https://github.com/octo/app", ("https://github.com", "octo", "app")),
        ("https://token@github.com/octo/app.git", ("https://github.com", "octo", "app")),
        ("git@github.com:octo/app.git", ("https://github.com", "octo", "app")),
        ("ssh://git@ghe.example.com:2222/team/svc.git", ("https://ghe.example.com", "team", "svc")),
        ("git://example.org/a/b.git", ("https://example.org", "a", "b")),
        ("https://gitlab.com/group/sub/proj.git", ("https://gitlab.com", "sub", "proj")),
        ("/srv/git/app.git", None),
        ("file:///srv/git/app.git", None),
        ("https://github.com/only-owner", None),
        ("", None),
    ],
)
def test_parse_remote_url(url: str, expected: tuple[str, str, str] | None) -> None:
    assert parse_remote_url(url) == expected
