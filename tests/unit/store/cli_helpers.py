"""Running the store's CLI commands through the real `conveyor` entry point (`run_cli`), with
their COMMANDS entries added as the lead will add them to conveyor.cli.main."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from conveyor.store import StoreHandle, open_store

STORE_COMMANDS = {
    "runs": "conveyor.cli.runs_command:runs_command",
    "logs": "conveyor.cli.logs_command:logs_command",
    "rerun": "conveyor.cli.rerun_command:rerun_command",
    "secrets": "conveyor.cli.secrets_command:secrets_command",
    "vars": "conveyor.cli.vars_command:vars_command",
    "approve": "conveyor.cli.approve_command:approve_command",
    "reject": "conveyor.cli.approve_command:reject_command",
    "deployments": "conveyor.cli.deployments_command:deployments_command",
    "environments": "conveyor.cli.environments_command:environments_command",
}


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class Cli:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        for name, target in STORE_COMMANDS.items():
            monkeypatch.setitem(cli_main.COMMANDS, name, target)
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(self, *args: str, stdin: str = "") -> Outcome:
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli_main.run_cli(list(args))
        captured = self.capsys.readouterr()
        return Outcome(code, captured.out, captured.err)


def make_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Use as `cli_fixture = pytest.fixture(name="cli")(make_cli)` in a test module."""
    return Cli(monkeypatch, capsys)


def make_store(conveyor_home: Path) -> Iterator[StoreHandle]:
    """Use as `store_fixture = pytest.fixture(name="store")(make_store)` in a test module."""
    handle = open_store(conveyor_home)
    yield handle
    handle.close()
