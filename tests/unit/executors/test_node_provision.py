"""Provisioning node from an npm registry (a local fake one) into the tool cache."""

from __future__ import annotations

import stat
import subprocess
import threading
from pathlib import Path

import pytest

from conveyor.executors.local.node_provision import (
    NodeProvisionError,
    cached_node,
    platform_package,
    provision_node,
    shown_url,
)
from tests.unit.executors.fake_npm_registry import fake_registry

VERSIONS = ["22.1.0", "24.1.0", "24.10.2", "24.9.0", "25.0.0-rc.1", "25.0.0"]


def _modes(root: Path) -> set[int]:
    return {stat.S_IMODE(p.lstat().st_mode) & 0o077 for p in [root, *root.rglob("*")]}


def test_the_highest_version_of_the_major_is_installed_privately_once(tmp_path: Path) -> None:
    cache = tmp_path / "toolcache"
    with fake_registry(VERSIONS) as registry:
        node = provision_node(24, cache, registry.url)
        assert node == cache / "node" / "24.10.2" / "x64" / "bin" / "node"
        shown = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
        assert shown.stdout.strip() == "v24.10.2"
        assert _modes(cache / "node") == {0}
        assert (cache / "node" / "24.10.2" / "x64.complete").is_file()
        again = provision_node(24, cache, registry.url)
        assert again == node
        assert registry.hits[f"/{platform_package()}"] == 1
        assert cached_node(24, cache) == node
        assert cached_node(22, cache) is None


def test_concurrent_provisioning_downloads_once(tmp_path: Path) -> None:
    cache = tmp_path / "toolcache"
    found: list[Path] = []
    with fake_registry(VERSIONS) as registry:
        threads = [
            threading.Thread(target=lambda: found.append(provision_node(24, cache, registry.url)))
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        tarballs = [path for path in registry.hits if path.endswith(".tgz")]
        assert [registry.hits[path] for path in tarballs] == [1]
    assert len(set(found)) == 1
    assert len(found) == 4


def test_a_tarball_that_fails_its_integrity_check_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "toolcache"
    with fake_registry(VERSIONS) as registry:
        registry.corrupt = True
        with pytest.raises(NodeProvisionError, match="integrity"):
            provision_node(24, cache, registry.url)
    assert cached_node(24, cache) is None
    assert not [p for p in (cache / "node").iterdir() if not p.name.startswith(".")]


def test_no_such_major_and_no_registry_are_clear_errors(tmp_path: Path) -> None:
    with fake_registry(VERSIONS) as registry, pytest.raises(NodeProvisionError, match="no 23"):
        provision_node(23, tmp_path, registry.url)
    with pytest.raises(NodeProvisionError, match=r"http://127\.0\.0\.1:9"):
        provision_node(24, tmp_path, "http://127.0.0.1:9")


def test_credentials_in_a_registry_url_are_never_shown(tmp_path: Path) -> None:
    assert (
        shown_url("https://ann:s3cret-token@npm.example.com/r/") == "https://***@npm.example.com/r/"
    )
    assert shown_url("https://registry.npmjs.org/") == "https://registry.npmjs.org/"
    with pytest.raises(NodeProvisionError) as caught:
        provision_node(24, tmp_path, "http://ann:s3cret-token@127.0.0.1:9/")
    assert "s3cret-token" not in str(caught.value)
