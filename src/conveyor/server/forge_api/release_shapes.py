"""Releases and release assets in GitHub's shapes; `upload_url` is this server's
/api/uploads/... (GitHub's uploads.github.com)."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.git.webhook_objects import JsonObject, node_id
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.shapes import iso, user
from conveyor.store.forge_records import AssetRecord, ReleaseRecord


def uploads_url(repo: Hosted) -> str:
    return f"{repo.identity.server_url}/api/uploads/repos/{repo.name}"


def download_url(repo: Hosted, asset_id: int) -> str:
    """Where an asset's bytes are served (uploads.py)."""
    return f"{uploads_url(repo)}/releases/assets/{asset_id}"


def release(repo: Hosted, found: ReleaseRecord, assets: Sequence[AssetRecord]) -> JsonObject:
    url = f"{repo.api}/releases/{found.id}"
    return {
        "url": url,
        "html_url": f"{repo.html}/releases/tag/{found.tag_name}",
        "assets_url": f"{url}/assets",
        "upload_url": f"{uploads_url(repo)}/releases/{found.id}/assets{{?name,label}}",
        "tarball_url": f"{repo.api}/tarball/{found.tag_name}",
        "zipball_url": f"{repo.api}/zipball/{found.tag_name}",
        "id": found.id,
        "node_id": node_id("Release", found.id),
        "tag_name": found.tag_name,
        "target_commitish": found.target_commitish,
        "name": found.name,
        "body": found.body,
        "draft": found.draft,
        "prerelease": found.prerelease,
        "immutable": False,  # GitHub's immutable releases are not modelled
        "created_at": iso(found.created_at),
        "published_at": iso(found.published_at),
        "updated_at": iso(found.updated_at),
        "author": user(repo, found.author),
        "assets": [asset(repo, each) for each in assets],
    }


def asset(repo: Hosted, found: AssetRecord) -> JsonObject:
    url = f"{repo.api}/releases/assets/{found.id}"
    return {
        "url": url,
        "browser_download_url": download_url(repo, found.id),
        "id": found.id,
        "node_id": node_id("ReleaseAsset", found.id),
        "name": found.name,
        "label": found.label,
        "state": "uploaded",
        "content_type": found.content_type,
        "size": found.size,
        "digest": found.digest,
        "download_count": 0,
        "created_at": iso(found.created_at),
        "updated_at": iso(found.updated_at),
        "uploader": user(repo, found.uploader),
    }
