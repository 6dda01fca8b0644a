"""Directories as tar streams between a worker and the server (artifacts), and the checks both
sides make before anything of a received stream lands on disk.

`pack(directory, into)` writes the directory's regular files (never following a symbolic link)
as an uncompressed tar; `receive(chunks, into, limit)` writes a stream to a private file,
refusing it past `limit` bytes; `unpack(archive, target)` extracts an archive into a new private
directory, refusing anything but plain directories and regular files whose names are relative
and stay inside (`..` and absolute names are refused), then moves it into place.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from conveyor.private_files import make_tree_private, open_private, private_directory

CHUNK = 1 << 16


class ArchiveRefused(ValueError):
    """A stream too large, or an archive member that is not a plain relative file or folder."""


def regular_files(directory: Path) -> Iterator[Path]:
    """The regular files under `directory`, never following a symbolic link, sorted."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not Path(root, d).is_symlink())
        for name in sorted(files):
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                yield path


def pack(directory: Path, into: Path) -> int:
    """`directory`'s regular files as a tar at `into` (a private file); its size in bytes."""
    with os.fdopen(open_private(into), "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
        for path in regular_files(directory):
            tar.add(str(path), arcname=path.relative_to(directory).as_posix(), recursive=False)
    return into.stat().st_size


def chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while data := source.read(CHUNK):
            yield data


def receive(stream: Iterable[bytes], into: Path, limit: int) -> int:
    """Writes `stream` to the private file `into`; ArchiveRefused past `limit` bytes (the file
    is removed)."""
    size = 0
    try:
        with os.fdopen(open_private(into), "wb") as target:
            for data in stream:
                size += len(data)
                if size > limit:
                    raise ArchiveRefused(f"larger than the limit of {limit} bytes")
                target.write(data)
    except BaseException:
        into.unlink(missing_ok=True)
        raise
    return size


def check_member(member: tarfile.TarInfo) -> None:
    """ArchiveRefused unless `member` is a folder or regular file with a safe relative name."""
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts or "\\" in member.name or "\0" in member.name:
        raise ArchiveRefused(f"{member.name!r} is not a relative path inside the archive")
    if not (member.isfile() or member.isdir()):
        raise ArchiveRefused(f"{member.name!r} is not a regular file or a folder")


def unpack(archive: Path, target: Path) -> int:
    """Extracts `archive` (checked first) to a staging folder beside `target`, private, then
    replaces `target` with it; how many files it held."""
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tarfile.open(archive, "r:") as tar:
            members = tar.getmembers()
            for member in members:
                check_member(member)
            private_directory(staging)
            tar.extractall(staging, members=members, filter="data")
        make_tree_private(staging)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    except tarfile.TarError as error:
        raise ArchiveRefused(f"not a tar archive: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sum(1 for member in members if member.isfile())
