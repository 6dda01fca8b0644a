"""What the GitHub adapter is configured with (bootstrap reads it from the `[forge]` settings),
and the URLs of a GitHub: github.com's API, or an Enterprise Server's `https://HOST/api/v3`."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from conveyor.engine.ports.forge import ForgeUrls

GITHUB_API = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class GitHubConfig:
    """A GitHub App (`app_id`, `private_key` PEM, `installation_id`) or a plain `token`.
    The secrets are kept out of repr (and so out of logs and tracebacks)."""

    api_url: str = GITHUB_API
    app_id: str = ""
    private_key: bytes = field(default=b"", repr=False)
    installation_id: str = ""
    token: str = field(default="", repr=False)
    timeout: float = 10.0  # seconds per request

    @property
    def is_app(self) -> bool:
        return bool(self.app_id and self.private_key and self.installation_id)


def forge_urls(api_url: str) -> ForgeUrls:
    """`GITHUB_SERVER_URL`, `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL` of the GitHub at `api_url`."""
    api = api_url.rstrip("/")
    parts = urlsplit(api)
    if parts.netloc == "api.github.com":
        return ForgeUrls("https://github.com", api, f"{api}/graphql")
    server = f"{parts.scheme}://{parts.netloc}"
    return ForgeUrls(server, api, f"{server}/api/graphql")
