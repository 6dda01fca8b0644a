from __future__ import annotations

from pathlib import Path

import pytest

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
