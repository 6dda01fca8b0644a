"""The local forge's URL as jobs see it: where `conveyor serve` listens, unless
CONVEYOR_FORGE_URL names it (behind a proxy); a URL that is not http(s) is a usage error."""

from __future__ import annotations

import pytest

from conveyor.bootstrap.job_tokens import configured_forge_url, forge_urls
from conveyor.errors import UsageError


def test_the_listening_address_unless_configured() -> None:
    assert configured_forge_url("http://127.0.0.1:8080", {}) == "http://127.0.0.1:8080"
    given = {"CONVEYOR_FORGE_URL": "https://ci.example.com/"}
    assert configured_forge_url("http://127.0.0.1:8080", given) == "https://ci.example.com"
    urls = forge_urls("https://ci.example.com")
    assert (urls.server_url, urls.api_url, urls.graphql_url) == (
        "https://ci.example.com",
        "https://ci.example.com/api/v3",
        "https://ci.example.com/api/graphql",
    )


@pytest.mark.parametrize("bad", ["ci.example.com", "ftp://ci", "http://"])
def test_a_bad_forge_url_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match="CONVEYOR_FORGE_URL"):
        configured_forge_url("http://127.0.0.1:8080", {"CONVEYOR_FORGE_URL": bad})
