"""The environment files of a step: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_PATH and
GITHUB_STEP_SUMMARY — created fresh (empty) for every step, read back after it.

Key/value grammar (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE), as GitHub's runner reads it: lines
split on `\\n`; empty lines ignored; a line whose first `=` comes before any `<<` is `NAME=VALUE`
(split at the first `=`, nothing trimmed); otherwise `NAME<<DELIM` starts a heredoc whose value is
every following line up to the first line equal to `DELIM`. Anything else is an error that fails
the step.

Each file is opened without blocking and must still be a regular file when it is read: a step
that put a named pipe, a directory or a device in its place fails with a message saying so
(`continue-on-error` applies as to any failure), and the next step gets a fresh regular file.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

SUMMARY_LIMIT = 1024 * 1024  # bytes per step, as on GitHub


class FileCommandError(ValueError):
    """A malformed environment file (the step fails with this message)."""


class FileTooLarge(FileCommandError):
    """A file over its size limit (GITHUB_STEP_SUMMARY)."""


_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFDIR: "a directory",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK | os.O_NOFOLLOW


def parse_key_values(text: str, what: str) -> dict[str, str]:
    """`NAME=VALUE` and heredoc entries of one file; later entries override earlier ones."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index].removesuffix("\r")
        index += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            values[_name(line[:equals], line, what)] = line[equals + 1 :]
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            if not delimiter:
                raise FileCommandError(f"Invalid format in {what}: '{line}' has no delimiter")
            index, value = _heredoc(lines, index, delimiter, what)
            values[_name(name, line, what)] = value
        else:
            raise FileCommandError(f"Invalid format in {what}: '{line}'")
    return values


def _name(name: str, line: str, what: str) -> str:
    if not name:
        raise FileCommandError(f"Invalid format in {what}: '{line}' has an empty name")
    return name


def _heredoc(lines: list[str], index: int, delimiter: str, what: str) -> tuple[int, str]:
    body: list[str] = []
    while index < len(lines):
        line = lines[index].removesuffix("\r")
        index += 1
        if line == delimiter:
            return index, "\n".join(body)
        body.append(line)
    raise FileCommandError(f"Invalid value in {what}: matching delimiter '{delimiter}' not found")


def parse_path_lines(text: str) -> list[str]:
    """GITHUB_PATH: one directory per non-empty line, in the order written."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True, slots=True)
class StepFiles:
    """The five per-step files under RUNNER_TEMP, empty when a step starts.

    Steps of a job run one after another, so the job reuses the same five paths and empties them
    for each step (creating files is much slower than truncating them on some filesystems)."""

    env: Path
    output: Path
    state: Path
    path: Path
    summary: Path

    @classmethod
    def fresh(cls, temp: Path) -> StepFiles:
        files = _step_files(temp)
        try:
            for file in files.all():
                _create_empty(file)
        except FileNotFoundError:  # a step removed the folder (made with the job): again
            files.env.parent.mkdir(mode=0o700, exist_ok=True)
            for file in files.all():
                _create_empty(file)
        return files

    @classmethod
    def made(cls, temp: Path) -> StepFiles:
        """The files as they are (made empty with the job directory, nothing has run since)."""
        return _step_files(temp)

    def all(self) -> tuple[Path, ...]:
        return (self.env, self.output, self.state, self.path, self.summary)

    def variables(self) -> dict[str, str]:
        return {
            "GITHUB_ENV": str(self.env),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STATE": str(self.state),
            "GITHUB_PATH": str(self.path),
            "GITHUB_STEP_SUMMARY": str(self.summary),
        }


@functools.lru_cache(maxsize=64)
def _step_files(temp: Path) -> StepFiles:
    """The five paths under `temp` (the same for every step of a job: made once)."""
    folder = temp / "_runner_file_commands"
    return StepFiles(
        env=folder / "set_env",
        output=folder / "set_output",
        state=folder / "save_state",
        path=folder / "add_path",
        summary=folder / "step_summary",
    )


def _create_empty(file: Path) -> None:
    """An empty private regular file at `file`, whatever the last step left there: never
    blocking on a named pipe, never following a symbolic link out of RUNNER_TEMP."""
    try:
        fd = os.open(file, _CREATE, 0o600)
    except FileNotFoundError:
        raise
    except OSError:
        _remove_any(file)
        fd = os.open(file, _CREATE | os.O_EXCL, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileCommandError(f"{file} is not a regular file")
    finally:
        os.close(fd)


def _remove_any(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def read_text(path: Path, limit: int | None = None, what: str = "") -> str:
    """A file's text (UTF-8, bad bytes replaced); '' when missing. Over `limit` bytes:
    FileTooLarge; not a regular file or unreadable (`what` names it): FileCommandError.

    Read with plain system calls: these files are read after every step, and are usually empty
    (then one stat says so)."""
    name = what or path.name
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return ""
    except OSError:
        info = None  # said below, when opening it
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size == 0:
        return ""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise FileCommandError(f"{name} cannot be read: {exc.strerror or exc}") from exc
    try:
        return _read_regular(fd, name, limit).decode("utf-8", errors="replace")
    except OSError as exc:
        raise FileCommandError(f"{name} cannot be read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _read_regular(fd: int, name: str, limit: int | None) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
        raise FileCommandError(f"{name} is {kind}, not a regular file")
    if limit is not None and info.st_size > limit:
        raise FileTooLarge(f"{name} is larger than {limit} bytes")
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
