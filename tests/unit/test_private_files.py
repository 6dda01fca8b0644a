"""conveyor.private_files: what conveyor creates under CONVEYOR_HOME is private to the user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor import private_files
from conveyor.private_files import (
    make_tree_private,
    private_directory,
    restrict_umask,
    user_umask,
    write_private,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual 022 umask, as a user has it (so only explicit modes make things private)."""
    previous = os.umask(0o022)
    saved = private_files._user_umask
    try:
        yield
    finally:
        os.umask(previous)
        private_files._user_umask = saved


def test_every_directory_made_is_0700_parents_included(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "a" / "b" / "c"
    assert private_directory(target) == target
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", target)] == [0o700] * 3
    private_directory(target)  # exists: fine, left as it is


def test_a_file_in_the_way_of_a_private_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        private_directory(tmp_path / "file")
    with pytest.raises(NotADirectoryError):
        private_directory(tmp_path / "file" / "below")
    (tmp_path / "real").mkdir(mode=0o755)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    private_directory(tmp_path / "link" / "inside")  # through a link to a directory: made there
    assert mode(tmp_path / "real" / "inside") == 0o700
    assert mode(tmp_path / "real") == 0o755


def test_files_are_written_0600_and_an_open_file_is_made_private(
    tmp_path: Path, open_umask: None
) -> None:
    write_private(tmp_path / "new", "secret")
    assert mode(tmp_path / "new") == 0o600
    old = tmp_path / "old"
    old.write_text("x")
    old.chmod(0o644)
    write_private(old, b"replaced")
    assert (mode(old), old.read_bytes()) == (0o600, b"replaced")


def test_a_copied_tree_loses_group_and_other_permissions(tmp_path: Path, open_umask: None) -> None:
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    script = tmp_path / "tree" / "sub" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    (tmp_path / "tree" / "link").symlink_to("sub/run.sh")
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o755)
    (tmp_path / "tree" / "elsewhere").symlink_to(outside)
    make_tree_private(tmp_path / "tree")
    make_tree_private(tmp_path / "tree" / "elsewhere")  # a link copied as a link: not followed
    assert mode(outside) == 0o755
    assert mode(tmp_path / "tree") == 0o700
    assert mode(tmp_path / "tree" / "sub") == 0o700
    assert mode(script) == 0o700  # still executable by its owner


def test_the_process_umask_is_private_and_the_users_is_kept_for_steps(
    tmp_path: Path, open_umask: None
) -> None:
    private_files._user_umask = None
    assert user_umask() == -1  # never restricted: steps keep the current one
    restrict_umask()
    (tmp_path / "made").write_text("x")
    assert mode(tmp_path / "made") == 0o600
    assert user_umask() == 0o022


def test_writing_never_blocks_on_a_named_pipe_nor_follows_a_link(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(OSError, match="No such device or address"):  # ENXIO: no reader
        write_private(tmp_path / "pipe", "script")
    (tmp_path / "target").write_text("keep")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(OSError, match="Too many levels of symbolic links"):  # ELOOP
        write_private(tmp_path / "link", "script")
    assert (tmp_path / "target").read_text() == "keep"
