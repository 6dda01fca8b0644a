"""The thin client's budget and rules, and what it shares with the daemon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.cli.daemon import wire
from conveyor.store.location import conveyor_home

PROBE = """
import json, sys
from conveyor.cli.daemon import client
try:
    client._through_daemon(["run"])
except client.Unavailable:
    pass
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("with_socket", [False, True], ids=["no-socket", "stale-socket"])
def test_the_client_decides_without_importing_the_cli(tmp_path: Path, with_socket: bool) -> None:
    if with_socket:
        import socket

        with socket.socket(socket.AF_UNIX) as stale:
            stale.bind(str(tmp_path / wire.SOCKET))
    env = {**os.environ, "CONVEYOR_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert not loaded & {"click", "socket", "signal", "conveyor.cli.main", "conveyor.store"}


@pytest.mark.parametrize(
    "variables",
    [
        {"CONVEYOR_HOME": "/somewhere/home"},
        {"XDG_DATA_HOME": "/data"},
        {"HOME": "/home/someone"},
    ],
)
def test_the_clients_home_is_the_stores_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variables: dict[str, str]
) -> None:
    for name in ("CONVEYOR_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, str(tmp_path) + value)
    assert Path(wire.home_directory()) == conveyor_home()


def test_a_run_frame_round_trips_arguments_and_environment() -> None:
    argv = ["conveyor", "run", "--env", "A=b c", "ünï"]
    environ = {b"PATH": b"/bin", b"EMPTY": b"", b"EQ": b"a=b", b"BYTES": b"\xff\xfe"}
    body = wire.run_body(argv, 0o027, environ)
    assert wire.parse_run(body) == (argv, 0o027, environ)


def test_a_long_home_is_reached_through_its_directory(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    address, directory = wire.socket_address(str(deep / wire.SOCKET))
    assert directory is not None
    os.close(directory)
    assert len(address) <= wire.SUN_PATH_MAX
    assert address.endswith("/" + wire.SOCKET)


VERSION_PROBE = """
import json, sys
from conveyor.cli.daemon import client
sys.argv = ["conveyor", *sys.argv[1:]]
try:
    client.main()
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)
"""


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_client_prints_the_version_without_the_cli_or_a_daemon(
    tmp_path: Path, flag: str
) -> None:
    from click.testing import CliRunner

    from conveyor.cli.main import cli

    expected = CliRunner().invoke(cli, [flag]).output
    env = {**os.environ, "CONVEYOR_HOME": str(tmp_path / "no-home")}
    result = subprocess.run(
        [sys.executable, "-c", VERSION_PROBE, flag], env=env, capture_output=True, text=True
    )
    code, loaded = json.loads(result.stderr.splitlines()[-1])
    assert (code, result.stdout) == (0, expected)
    assert not set(loaded) & {"click", "conveyor.cli.main", "conveyor.errors"}
    assert not (tmp_path / "no-home").exists()


def test_the_client_leaves_other_uses_of_the_flag_to_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "CONVEYOR_HOME": str(tmp_path), "CONVEYOR_DAEMON": "off"}
    result = subprocess.run(
        [sys.executable, "-c", VERSION_PROBE, "--version", "run"],
        env=env,
        capture_output=True,
        text=True,
    )
    code, loaded = json.loads(result.stderr.splitlines()[-1])
    assert code == 0
    assert result.stdout.startswith("conveyor, version ")
    assert "click" in loaded
