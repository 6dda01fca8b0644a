from __future__ import annotations

import os
import stat
from pathlib import Path

import click
import pytest

from conveyor import __version__
from conveyor.cli import main as cli_main
from conveyor.errors import SourceLocation, WorkflowError, error


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.run_cli(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main.run_cli(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err


def test_conveyor_error_prints_each_diagnostic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    diagnostics = [
        error(SourceLocation("a.yml", 3, 5), "schema", "bad key"),
        error(SourceLocation("a.yml", 9, 1), "needs", "unknown job"),
    ]

    @click.command("boom")
    def boom() -> None:
        raise WorkflowError(diagnostics)

    monkeypatch.setitem(cli_main.COMMANDS, "boom", "tests.unit.cli.test_main:_unused")
    monkeypatch.setattr(cli_main.LazyGroup, "get_command", lambda self, ctx, name: boom)
    assert cli_main.run_cli(["boom"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["a.yml:3:5: error[schema]: bad key", "a.yml:9:1: error[needs]: unknown job"]


def test_unexpected_exception_writes_traceback_file_and_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], conveyor_home: Path
) -> None:
    @click.command("crash")
    def crash() -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli_main.LazyGroup, "get_command", lambda self, ctx, name: crash)
    assert cli_main.run_cli(["crash"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "RuntimeError: kaboom" in err
    path = Path(err.rsplit("traceback in ", 1)[1].rstrip(")\n"))
    assert path.parent == conveyor_home
    assert "Traceback" in path.read_text()


def test_keyboard_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command("wait")
    def wait() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main.LazyGroup, "get_command", lambda self, ctx, name: wait)
    assert cli_main.run_cli(["wait"]) == 130


def test_a_traceback_is_private_in_a_conveyor_home_made_for_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CONVEYOR_HOME", str(tmp_path / "new" / "home"))
    previous = os.umask(0o022)  # a user's usual umask: only explicit modes make it private
    try:
        path = cli_main.write_traceback(RuntimeError("kaboom"))
    finally:
        os.umask(previous)
    assert path.parent == tmp_path / "new" / "home"
    modes = [stat.S_IMODE(p.stat().st_mode) for p in (path, path.parent, path.parent.parent)]
    assert modes == [0o600, 0o700, 0o700]
