"""A worker's side of the server's artifact and cache endpoints (conveyor.server.api.
worker_files), with one job's per-job token: archives go both ways streamed from and to private
files, never whole in memory."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, unquote

import httpx

from conveyor.distributed.client import API, Claim
from conveyor.distributed.file_archives import chunks, pack, receive, unpack
from conveyor.errors import InfrastructureError

MAX_DOWNLOAD_BYTES = 10 * 2**30


class JobFiles:
    def __init__(self, server: str, claim: Claim) -> None:
        self._base = f"{server.rstrip('/')}{API}/worker-jobs/{claim.job_id}"
        self._headers = {"Authorization": f"Bearer {claim.token}"}
        self._timeout = httpx.Timeout(60.0, connect=15.0)

    # -- artifacts ----------------------------------------------------------------------------

    def artifact_names(self) -> list[str]:
        answer = self._request("GET", "/artifacts")
        return [str(name) for name in answer.json()["artifacts"]]

    def download_artifact(self, name: str, target: Path) -> bool:
        """The artifact's files as the folder `target` (replaced); False: the run has none."""
        with tempfile.TemporaryDirectory(prefix="conveyor-artifact-") as spool:
            archive = Path(spool) / "archive.tar"
            if not self._download(f"/artifacts/{quote(name, safe='')}", archive):
                return False
            unpack(archive, target)
        return True

    def upload_artifact(self, name: str, directory: Path, overwrite: bool) -> str | None:
        """Stores `directory` as the run's artifact `name`; the server's refusal, if any."""
        with tempfile.TemporaryDirectory(prefix="conveyor-artifact-") as spool:
            archive = Path(spool) / "archive.tar"
            pack(directory, archive)
            path = f"/artifacts/{quote(name, safe='')}?overwrite={str(overwrite).lower()}"
            return self._upload(path, archive)

    # -- caches -------------------------------------------------------------------------------

    def find_cache(
        self, key: str, restore_keys: Sequence[str], version: str, into: Path
    ) -> str | None:
        """The key matched, its archive written to `into`; None: a miss."""
        params: dict[str, str | list[str]] = {
            "version": version,
            "key": key,
            "restore": list(restore_keys),
        }
        with httpx.stream(
            "GET", self._base + "/cache", params=params, headers=self._headers,
            timeout=self._timeout,
        ) as answer:  # fmt: skip
            if answer.status_code == 404:
                return None
            self._check(answer)
            receive(answer.iter_bytes(), into, MAX_DOWNLOAD_BYTES)
            return unquote(answer.headers.get("x-conveyor-cache-key", key))

    def save_cache(self, key: str, version: str, archive: Path) -> str | None:
        """Stores a cache's archive (nothing when the server has the key); a refusal, if any."""
        path = f"/cache?version={quote(version, safe='')}&key={quote(key, safe='')}"
        refused = self._upload(path, archive)
        return None if refused is not None and refused.startswith("409") else refused

    # -- transport ----------------------------------------------------------------------------

    def _request(self, method: str, path: str) -> httpx.Response:
        answer = httpx.request(
            method, self._base + path, headers=self._headers, timeout=self._timeout
        )
        self._check(answer)
        return answer

    def _download(self, path: str, into: Path) -> bool:
        with httpx.stream(
            "GET", self._base + path, headers=self._headers, timeout=self._timeout
        ) as answer:
            if answer.status_code == 404:
                return False
            self._check(answer)
            receive(answer.iter_bytes(), into, MAX_DOWNLOAD_BYTES)
        return True

    def _upload(self, path: str, archive: Path) -> str | None:
        answer = httpx.put(
            self._base + path, content=chunks(archive), headers=self._headers,
            timeout=self._timeout,
        )  # fmt: skip
        if answer.status_code in (400, 409, 413):
            return f"{answer.status_code} {_detail(answer)}"
        self._check(answer)
        return None

    @staticmethod
    def _check(answer: httpx.Response) -> None:
        if answer.status_code >= 400:
            answer.read()
            raise InfrastructureError(
                f"the server refused the request ({answer.status_code} {_detail(answer)})"
            )


def _detail(answer: httpx.Response) -> str:
    try:
        data = answer.json()
        return str(data.get("message") or data.get("detail") or "")[:300]
    except ValueError:
        return answer.text[:300]
