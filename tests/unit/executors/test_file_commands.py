from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conveyor.executors.local import file_commands
from conveyor.executors.local.file_commands import (
    FileCommandError,
    StepFiles,
    parse_key_values,
    parse_path_lines,
    read_text,
)


def test_simple_and_heredoc_entries() -> None:
    text = "A=1\nB=x=y\n\nC<<EOF\nline1\n\nline3\nEOF\nD=\nA=2\n"
    assert parse_key_values(text, "GITHUB_ENV") == {
        "A": "2",
        "B": "x=y",
        "C": "line1\n\nline3",
        "D": "",
    }


def test_heredoc_wins_when_it_comes_first_and_crlf() -> None:
    text = "test<<World\r\nx=Thats really Weird\r\nWorld\r\n"
    assert parse_key_values(text, "GITHUB_ENV") == {"test": "x=Thats really Weird"}


def test_value_keeps_spaces() -> None:
    assert parse_key_values("K=  v  ", "GITHUB_OUTPUT") == {"K": "  v  "}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("JUSTANAME\n", "Invalid format"),
        ("=v\n", "empty name"),
        ("<<EOF\nx\nEOF\n", "empty name"),
        ("K<<\nx\n", "no delimiter"),
        ("K<<EOF\nnever ends\n", "matching delimiter 'EOF' not found"),
    ],
)
def test_malformed_files(text: str, message: str) -> None:
    with pytest.raises(FileCommandError, match=message):
        parse_key_values(text, "GITHUB_ENV")


def test_path_lines() -> None:
    assert parse_path_lines(" /a \n\n/b\n") == ["/a", "/b"]


def test_step_files_are_emptied_for_each_step(tmp_path: Path) -> None:
    files = StepFiles.fresh(tmp_path)
    files.env.write_text("A=1\n")
    again = StepFiles.fresh(tmp_path)
    assert again.env == files.env
    assert read_text(again.env) == ""
    assert set(files.variables()) == {
        "GITHUB_ENV",
        "GITHUB_OUTPUT",
        "GITHUB_STATE",
        "GITHUB_PATH",
        "GITHUB_STEP_SUMMARY",
    }


def test_read_text_limit_and_missing(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 11)
    with pytest.raises(FileCommandError):
        read_text(big, limit=10)
    assert read_text(tmp_path / "missing") == ""


def test_a_step_that_left_its_files_empty_costs_one_call_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most steps write none of the five files: reading them back is one stat each (no
    open/fstat/read/close), and emptying them again for the next step one open each (the folder
    is made again only when a step removed it)."""
    files = StepFiles.fresh(tmp_path)
    calls: list[str] = []
    for name in ("open", "stat", "mkdir", "close", "read", "fstat"):
        real = getattr(file_commands.os, name)
        monkeypatch.setattr(file_commands.os, name, _counted(calls, name, real))
    assert [read_text(path) for path in files.all()] == [""] * 5
    assert calls == ["stat"] * 5
    calls.clear()
    StepFiles.fresh(tmp_path)
    assert calls.count("open") == 5
    assert "mkdir" not in calls
    assert "stat" not in calls


def test_step_files_come_back_when_a_step_removed_their_folder(tmp_path: Path) -> None:
    files = StepFiles.fresh(tmp_path)
    shutil.rmtree(files.env.parent)
    again = StepFiles.fresh(tmp_path)
    assert all(path.is_file() and path.stat().st_size == 0 for path in again.all())
    assert again.env.parent.stat().st_mode & 0o777 == 0o700


def _counted(calls: list[str], name: str, real: Callable[..., object]) -> Callable[..., object]:
    def counted(*args: object, **kwargs: object) -> object:
        calls.append(name)
        return real(*args, **kwargs)

    return counted
