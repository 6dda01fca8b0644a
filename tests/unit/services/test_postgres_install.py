"""Choosing a PostgreSQL installation for an image."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.errors import InfrastructureError
from conveyor.services.accounts import Account, current_account
from conveyor.services.postgres import command_arguments
from conveyor.services.postgres_install import (
    PostgresInstall,
    choose_install,
    major_from_image,
    reachable_install,
)


@pytest.mark.parametrize(
    ("image", "major"),
    [
        ("postgres:16", 16),
        ("postgres:16.4-alpine", 16),
        ("postgres:9.6", 9),
        ("pgvector/pgvector:pg17", 17),
        ("pgvector/pgvector:0.8.0-pg16", 16),
        ("timescale/timescaledb:latest-pg15", 15),
        ("ankane/pgvector", None),
        ("ankane/pgvector:v0.5.1", None),
        ("postgres", None),
        ("postgres:latest", None),
        ("docker.io/library/postgres:18@sha256:abc", 18),
    ],
)
def test_major_from_image(image: str, major: int | None) -> None:
    assert major_from_image(image) == major


def install(tmp_path: Path, version: str, *extensions: str) -> PostgresInstall:
    share = tmp_path / version / "share"
    (share / "extension").mkdir(parents=True)
    for name in extensions:
        (share / "extension" / f"{name}.control").write_text("")
    return PostgresInstall(tmp_path / version / "bin", version, share, "test")


def test_exact_major_wins(tmp_path: Path) -> None:
    installs = [install(tmp_path, "18.1", "vector"), install(tmp_path, "16.2", "vector")]
    chosen, notes = choose_install(installs, 16, ["vector"])
    assert chosen.version == "16.2"
    assert notes == []


def test_newest_when_the_major_is_missing_with_a_note(tmp_path: Path) -> None:
    installs = [install(tmp_path, "16.2", "vector"), install(tmp_path, "18.1", "vector")]
    chosen, notes = choose_install(installs, 15, [])
    assert chosen.version == "18.1"
    assert notes == [f"the image asks for PostgreSQL 15; using {chosen.describe()}"]
    assert choose_install(installs, None, [])[1] == []


def test_extensions_are_required(tmp_path: Path) -> None:
    installs = [install(tmp_path, "15.8"), install(tmp_path, "16.2", "vector")]
    assert choose_install(installs, 15, ["vector"])[0].version == "16.2"
    assert choose_install(installs, 15, [])[0].version == "15.8"
    with pytest.raises(InfrastructureError, match="with the postgis extension"):
        choose_install(installs, 15, ["postgis"])


@pytest.mark.parametrize(
    ("command", "arguments", "noted"),
    [
        (None, (), False),
        ("postgres -c max_connections=200", ("-c", "max_connections=200"), False),
        ("-c fsync=on -N 50", ("-c", "fsync=on", "-N", "50"), False),
        ("sh -c 'sleep 1'", (), True),
        ("postgres -c 'broken", (), True),
    ],
)
def test_command_arguments(command: str | None, arguments: tuple[str, ...], noted: bool) -> None:
    assert command_arguments(command)[0] == arguments
    assert bool(command_arguments(command)[1]) == noted


def test_an_unreachable_install_is_copied_where_the_account_can_run_it(tmp_path: Path) -> None:
    hidden = tmp_path / "private"
    (hidden / "pginstall" / "bin").mkdir(parents=True)
    (hidden / "pginstall" / "bin" / "postgres").write_text("#!/bin/sh\n")
    (hidden / "pginstall" / "bin" / "postgres").chmod(0o700)
    (hidden / "pginstall" / "share" / "extension").mkdir(parents=True)
    hidden.chmod(0o700)
    source = PostgresInstall(
        hidden / "pginstall" / "bin", "16.2", hidden / "pginstall" / "share", "test"
    )
    stranger = Account("stranger", 54321, 54321)
    assert not stranger.can_traverse(source.bin_dir)
    shared = tmp_path / "shared" / "postgres"
    copy = reachable_install(source, stranger, shared)
    assert copy.bin_dir.parent.parent.parent == shared
    assert (copy.bin_dir / "postgres").read_text() == "#!/bin/sh\n"
    assert copy.share_dir == copy.bin_dir.parent / "share"
    for path in (shared, copy.bin_dir.parent, copy.bin_dir, copy.bin_dir / "postgres"):
        assert path.stat().st_mode & 0o005 == 0o005, path  # others may read and traverse
    assert reachable_install(source, stranger, shared) == copy  # made once
    assert reachable_install(source, current_account(), shared) == source  # reachable: as is


def test_a_wheels_libraries_are_copied_beside_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "pgwheel" / "pginstall" / "bin").mkdir(parents=True)
    (site / "pgwheel" / "pginstall" / "share").mkdir()
    (site / "pgwheel.libs").mkdir()
    (site / "pgwheel.libs" / "libpq-1234.so.5").write_text("lib")
    site.chmod(0o700)
    source = PostgresInstall(
        site / "pgwheel" / "pginstall" / "bin",
        "18.1",
        site / "pgwheel" / "pginstall" / "share",
        "x",
    )
    copy = reachable_install(source, Account("stranger", 54321, 54321), tmp_path / "shared")
    # the binaries' RPATH is $ORIGIN/../../../pgwheel.libs
    assert (copy.bin_dir / ".." / ".." / ".." / "pgwheel.libs" / "libpq-1234.so.5").is_file()
