"""Releases of the local forge and their assets: rows here, each asset's bytes in a private file
under CONVEYOR_HOME/server/forge/assets (0700 directories, 0600 files), named by its id."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from conveyor.errors import UsageError
from conveyor.private_files import private_directory, write_private
from conveyor.store.database import Database
from conveyor.store.forge_models import ForgeReleaseAssetRow, ForgeReleaseRow
from conveyor.store.forge_records import AssetRecord, NewRelease, Page, ReleaseRecord
from conveyor.store.rows import now

Row, Asset = ForgeReleaseRow, ForgeReleaseAssetRow


class ForgeReleases:
    def __init__(self, database: Database, home: Path) -> None:
        self._database = database
        self._assets = home / "server" / "forge" / "assets"

    def create(self, repository: str, new: NewRelease, author: str) -> ReleaseRecord:
        moment = now()
        values = {f.name: getattr(new, f.name) for f in fields(new)}
        values.update(repository=repository, author=author, created_at=moment, updated_at=moment)
        values["published_at"] = None if new.draft else moment
        release_id = self._database.run_write(
            lambda conn: conn.execute(insert(Row).values(**values).returning(Row.c.id)).scalar_one()
        )
        found = self.get(repository, int(release_id))
        assert found is not None
        return found

    def get(self, repository: str, release_id: int) -> ReleaseRecord | None:
        return self._first((Row.c.repository == repository) & (Row.c.id == release_id))

    def by_tag(self, repository: str, tag: str) -> ReleaseRecord | None:
        return self._first((Row.c.repository == repository) & (Row.c.tag_name == tag))

    def listing(self, repository: str, *, offset: int, limit: int) -> Page[ReleaseRecord]:
        where = Row.c.repository == repository

        def read(conn: Connection) -> Page[ReleaseRecord]:
            total = conn.execute(select(func.count()).select_from(Row).where(where)).scalar_one()
            query = select(Row).where(where).order_by(Row.c.id.desc()).offset(offset).limit(limit)
            return Page([_release(row) for row in conn.execute(query).all()], int(total))

        return self._database.run_read(read)

    def update(self, release: ReleaseRecord, changes: dict[str, Any]) -> ReleaseRecord:
        """Change the given fields (tag_name, target_commitish, name, body, draft, prerelease)."""
        values = dict(changes, updated_at=now())
        if changes.get("draft") is False and release.published_at is None:
            values["published_at"] = values["updated_at"]
        self._database.run_write(
            lambda conn: conn.execute(update(Row).where(Row.c.id == release.id).values(**values))
        )
        found = self.get(release.repository, release.id)
        assert found is not None
        return found

    def add_asset(
        self, release_id: int, name: str, content_type: str, data: bytes, uploader: str,
        label: str | None = None,
    ) -> AssetRecord:  # fmt: skip
        moment = now()
        values = {
            "release_id": release_id, "name": name, "label": label,
            "content_type": content_type, "size": len(data),
            "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "path": "",
            "uploader": uploader, "created_at": moment, "updated_at": moment,
        }  # fmt: skip

        def write(conn: Connection) -> int:
            taken = (Asset.c.release_id == release_id) & (Asset.c.name == name)
            if conn.execute(select(Asset.c.id).where(taken)).first() is not None:
                raise UsageError(f"the release already has an asset {name!r} (already_exists)")
            asset_id = int(
                conn.execute(insert(Asset).values(**values).returning(Asset.c.id)).scalar_one()
            )
            path = self._write_file(release_id, asset_id, data)
            conn.execute(update(Asset).where(Asset.c.id == asset_id).values(path=str(path)))
            return asset_id

        asset_id = self._database.run_write(write)
        found = self.asset(asset_id)
        assert found is not None
        return found

    def assets(self, release_id: int) -> list[AssetRecord]:
        query = select(Asset).where(Asset.c.release_id == release_id).order_by(Asset.c.id)
        return [_asset(row) for row in self._database.run_read(lambda c: c.execute(query).all())]

    def asset(self, asset_id: int) -> AssetRecord | None:
        row = self._asset_row(asset_id)
        return None if row is None else _asset(row)

    def asset_path(self, asset_id: int) -> Path | None:
        row = self._asset_row(asset_id)
        return None if row is None else Path(row.path)

    def _asset_row(self, asset_id: int) -> Any:
        query = select(Asset).where(Asset.c.id == asset_id)
        return self._database.run_read(lambda conn: conn.execute(query).first())

    def _write_file(self, release_id: int, asset_id: int, data: bytes) -> Path:
        directory = private_directory(self._assets / str(release_id))
        write_private(directory / str(asset_id), data)
        return directory / str(asset_id)

    def _first(self, where: Any) -> ReleaseRecord | None:
        query = select(Row).where(where).order_by(Row.c.id.desc())
        row = self._database.run_read(lambda conn: conn.execute(query).first())
        return None if row is None else _release(row)


def _release(row: Any) -> ReleaseRecord:
    return ReleaseRecord(
        id=row.id,
        repository=row.repository,
        tag_name=row.tag_name,
        target_commitish=row.target_commitish,
        name=row.name,
        body=row.body,
        draft=bool(row.draft),
        prerelease=bool(row.prerelease),
        author=row.author,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
    )


def _asset(row: Any) -> AssetRecord:
    return AssetRecord(
        id=row.id,
        release_id=row.release_id,
        name=row.name,
        label=row.label,
        content_type=row.content_type,
        size=row.size,
        digest=row.digest,
        uploader=row.uploader,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
