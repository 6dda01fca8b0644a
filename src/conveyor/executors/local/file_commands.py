"""The environment files of a step: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE, GITHUB_PATH and
GITHUB_STEP_SUMMARY — created fresh (empty) for every step, read back after it.

Key/value grammar (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE), as GitHub's runner reads it: lines
split on `\\n`; empty lines ignored; a line whose first `=` comes before any `<<` is `NAME=VALUE`
(split at the first `=`, nothing trimmed); otherwise `NAME<<DELIM` starts a heredoc whose value is
every following line up to the first line equal to `DELIM`. Anything else is an error that fails
the step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SUMMARY_LIMIT = 1024 * 1024  # bytes per step, as on GitHub


class FileCommandError(ValueError):
    """A malformed environment file (the step fails with this message)."""


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
        folder = temp / "_runner_file_commands"
        folder.mkdir(exist_ok=True)
        files = cls(
            env=folder / "set_env",
            output=folder / "set_output",
            state=folder / "save_state",
            path=folder / "add_path",
            summary=folder / "step_summary",
        )
        for file in files.all():
            os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
        return files

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


def read_text(path: Path, limit: int | None = None) -> str:
    """A file's text (UTF-8, bad bytes replaced); '' when missing. Over `limit` bytes: raise.

    Read with plain system calls: these files are read after every step, and are usually empty."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return ""
    try:
        if limit is not None and os.fstat(fd).st_size > limit:
            raise FileCommandError(f"{path.name} is larger than {limit} bytes")
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")
