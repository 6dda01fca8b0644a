"""`conveyor dispatch` against a running server (real uvicorn, real HTTP), through the CLI's
error boundary: 204 → exit 0; 422/404/401 → the server's message, exit 2; no server → exit 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.cli.main import run_cli
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.server.principals import Principal, Role
from conveyor.store.handle import opened_store
from tests.support.http_server import running_app
from tests.unit.server.schedule_helpers import CI, DEPLOY, scheduled_repository, source_for

TOKENS = FakeTokens({"w-token": Principal("deployer", Role.WRITE)})
INPUT_DEFAULTS = {"target": "staging", "dry_run": "false", "replicas": "2", "place": "", "note": ""}
SRC = Path(__file__).resolve().parents[3] / "src"


@pytest.fixture
def served(tmp_path: Path, conveyor_home: Path) -> Iterator[tuple[str, FakeStarter]]:
    repo, _ = scheduled_repository(tmp_path / "repo", {"deploy.yml": DEPLOY, "ci.yml": CI})
    starter = FakeStarter()
    with opened_store(conveyor_home) as store:
        context = ServerContext(conveyor_home, store, starter, FakeControl(), TOKENS)
        context.workflows = source_for(repo)
        with running_app(create_app(context)) as base_url:
            yield base_url, starter


def dispatch(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_cli(["dispatch", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_dispatch_starts_the_run_and_says_so(
    served: tuple[str, FakeStarter], capsys: pytest.CaptureFixture[str]
) -> None:
    base_url, starter = served
    code, out, err = dispatch(
        capsys, "deploy.yml", "--repo", "acme/app", "--ref", "main",
        "--input", "target=staging", "--input", "dry_run=true",
        "--server", base_url, "--token", "w-token",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "dispatched deploy.yml on acme/app at main\n"
    assert starter.requests[0].payload["inputs"] == {**INPUT_DEFAULTS, "dry_run": "true"}


def test_server_and_token_come_from_the_environment_in_a_real_process(
    served: tuple[str, FakeStarter],
) -> None:
    base_url, starter = served
    env = {**os.environ, "CONVEYOR_SERVER": base_url, "CONVEYOR_TOKEN": "w-token"}
    env["PYTHONPATH"] = f"{SRC}{os.pathsep}{env.get('PYTHONPATH', '')}"
    command = [sys.executable, "-m", "conveyor", "dispatch", "deploy.yml", "--repo", "acme/app"]
    result = subprocess.run(
        [*command, "--ref", "main", "--input", "target=production"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert starter.requests[0].payload["inputs"] == {**INPUT_DEFAULTS, "target": "production"}


def test_a_422_shows_the_message_and_exits_2(
    served: tuple[str, FakeStarter], capsys: pytest.CaptureFixture[str]
) -> None:
    base_url, starter = served
    code, out, err = dispatch(
        capsys, "deploy.yml", "--repo", "acme/app", "--ref", "main", "--input", "target=qa",
        "--server", base_url, "--token", "w-token",
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert err == (
        "conveyor: error: the server refused the dispatch (422): workflow_dispatch input "
        "'target' must be one of [staging, production], got 'qa'\n"
    )
    assert starter.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ci.yml", "--token", "w-token"), "(404): workflow ci.yml does not have"),
        (("deploy.yml", "--token", "nope"), "(401): a valid API token is required"),
    ],
)
def test_404_and_401_exit_2_with_the_message(
    served: tuple[str, FakeStarter],
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    base_url, _ = served
    code, _, err = dispatch(
        capsys, *args, "--repo", "acme/app", "--ref", "main", "--server", base_url
    )
    assert code == 2
    assert message in err
    assert "nope" not in err  # the token is never echoed


def test_an_unreachable_server_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    code, _, err = dispatch(
        capsys, "deploy.yml", "--repo", "acme/app", "--ref", "main", "--server", url, "--token", "t"
    )
    assert code == 1
    assert (
        err == f"conveyor: error: cannot reach the conveyor server at {url}: connection refused\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--repo", "acme/app", "--ref", "main"),
            "needs a server: --server URL or CONVEYOR_SERVER",
        ),
        (("--repo", "app", "--ref", "main", "--server", "http://x"), "--repo expects OWNER/REPO"),
        (
            ("--repo", "a/b", "--ref", "main", "--server", "http://x", "--input", "k"),
            "--input expects KEY=VALUE",
        ),
    ],
)
def test_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.delenv("CONVEYOR_SERVER", raising=False)
    code, _, err = dispatch(capsys, "deploy.yml", *args)
    assert code == 2
    assert message in err
