"""astral-sh/setup-uv: which uv version is asked for, and which release answers it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.actions.uv_versions import (
    UvRelease,
    choose_version,
    releases_from_index,
    requested_version,
)

VERSIONS = [(0, 3, 5), (0, 4, 0), (0, 4, 2), (0, 4, 30), (0, 5, 0), (0, 10, 1)]


@pytest.mark.parametrize(
    ("spec", "strategy", "expected"),
    [
        ("latest", "highest", (0, 10, 1)),
        ("", "highest", (0, 10, 1)),
        ("0.4.2", "highest", (0, 4, 2)),
        ("==0.4.2", "highest", (0, 4, 2)),
        ("0.4", "highest", (0, 4, 30)),
        ("0.4.x", "highest", (0, 4, 30)),
        ("==0.4.*", "highest", (0, 4, 30)),
        (">=0.4", "highest", (0, 10, 1)),
        (">=0.4,<0.5", "highest", (0, 4, 30)),
        (">=0.4, <0.5", "lowest", (0, 4, 0)),
        ("~=0.4.1", "highest", (0, 4, 30)),
        ("~=0.4", "highest", (0, 10, 1)),
        (">=0.4,!=0.10.1", "highest", (0, 5, 0)),
        ("0.9.9", "highest", None),
        ("not a version", "highest", None),
    ],
)
def test_a_version_spec_chooses_among_releases(
    spec: str, strategy: str, expected: tuple[int, ...] | None
) -> None:
    assert choose_version(spec, VERSIONS, strategy) == expected


def test_the_version_comes_from_the_input_then_files_then_latest(tmp_path: Path) -> None:
    assert requested_version({"version": "0.4.1"}, tmp_path) == "0.4.1"
    assert requested_version({}, tmp_path) == "latest"
    (tmp_path / "pyproject.toml").write_text('[tool.uv]\nrequired-version = ">=0.4"\n')
    assert requested_version({}, tmp_path) == ">=0.4"
    (tmp_path / "uv.toml").write_text('required-version = "==0.5.1"\n')
    assert requested_version({}, tmp_path) == "==0.5.1"
    (tmp_path / "requirements-dev.txt").write_text("ruff==0.1\nuv==0.4.7  # pinned\n")
    assert requested_version({"version-file": "requirements-dev.txt"}, tmp_path) == "==0.4.7"
    (tmp_path / ".tool-versions").write_text("python 3.12.1\nuv 0.4.9\n")
    assert requested_version({"version-file": ".tool-versions"}, tmp_path) == "0.4.9"
    assert requested_version({"version": "latest", "version-file": "uv.toml"}, tmp_path) == (
        "latest"
    )


def test_an_unreadable_version_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing\.toml"):
        requested_version({"version-file": "missing.toml"}, tmp_path)
    (tmp_path / "bad.toml").write_text("required-version = [\n")
    with pytest.raises(ValueError, match=r"bad\.toml"):
        requested_version({"version-file": "bad.toml"}, tmp_path)


def _file(name: str, **extra: object) -> dict[str, object]:
    return {
        "filename": name,
        "url": f"../../packages/{name}",
        "hashes": {"sha256": "ab" * 32},
        **extra,
    }


def test_the_wheel_for_this_machine_is_chosen_from_the_index() -> None:
    document = {
        "files": [
            _file("uv-0.4.2.tar.gz"),
            _file("uv-0.4.2-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            _file("uv-0.4.2-py3-none-musllinux_1_1_x86_64.whl"),
            _file("uv-0.4.2-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"),
            _file("uv-0.4.2-py3-none-macosx_10_12_x86_64.whl"),
            _file("uv-0.5.0-py3-none-manylinux_2_17_x86_64.whl", yanked=True),
            _file("uv-0.6.0rc1-py3-none-manylinux_2_17_x86_64.whl"),
            _file("uv-0.3.0-py3-none-manylinux_2_17_x86_64.whl", hashes={}),
        ]
    }
    base = "https://index.example/simple/uv/"
    glibc = releases_from_index(document, base, machine="x86_64", system="Linux", musl=False)
    assert [r.version for r in glibc] == [(0, 4, 2)]
    release = glibc[0]
    assert isinstance(release, UvRelease)
    assert release.filename.startswith("uv-0.4.2-py3-none-manylinux")
    assert release.url == "https://index.example/packages/" + release.filename
    assert release.sha256 == "ab" * 32
    musl = releases_from_index(document, base, machine="x86_64", system="Linux", musl=True)
    assert "musllinux" in musl[0].filename
    arm = releases_from_index(document, base, machine="aarch64", system="Linux", musl=False)
    assert "aarch64" in arm[0].filename
    mac = releases_from_index(document, base, machine="x86_64", system="Darwin", musl=False)
    assert "macosx" in mac[0].filename
