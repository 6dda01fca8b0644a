"""`conveyor worker`, `conveyor workers` and `conveyor serve --broker`: bad input is a clear
error and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.worker_settings import LeaseTiming, broker_url, lease_timing
from conveyor.cli.main import run_cli
from conveyor.errors import UsageError


def test_worker_needs_a_server_and_a_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONVEYOR_SERVER", raising=False)
    monkeypatch.delenv("CONVEYOR_TOKEN", raising=False)
    assert run_cli(["worker", "--token", "t"]) == 2
    assert "conveyor worker needs --server URL and --token T" in capsys.readouterr().err


def test_worker_refuses_too_many_labels(capsys: pytest.CaptureFixture[str]) -> None:
    labels = ",".join(f"l{n}" for n in range(11))
    assert run_cli(["worker", "--server", "http://x", "--token", "t", "--labels", labels]) == 2
    assert "1 to 10 labels" in capsys.readouterr().err


def test_serve_refuses_a_broker_that_is_not_redis(
    capsys: pytest.CaptureFixture[str], conveyor_home: Path
) -> None:
    assert run_cli(["serve", "--port", "0", "--broker", "amqp://rabbit"]) == 2
    assert "--broker 'amqp://rabbit': use redis://HOST:PORT/DB" in capsys.readouterr().err


def test_lease_timing_from_the_environment_and_its_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert lease_timing({}) == LeaseTiming(10.0, 60.0, 1)
    timing = {
        "CONVEYOR_HEARTBEAT_SECONDS": "0.5",
        "CONVEYOR_LEASE_SECONDS": "3",
        "CONVEYOR_RETRY_LOST": "0",
    }
    assert lease_timing(timing) == LeaseTiming(0.5, 3.0, 0)
    with pytest.raises(UsageError, match="must be longer than the heartbeat"):
        lease_timing({"CONVEYOR_HEARTBEAT_SECONDS": "5", "CONVEYOR_LEASE_SECONDS": "5"})
    with pytest.raises(UsageError, match="CONVEYOR_LEASE_SECONDS='soon': a number of seconds"):
        lease_timing({"CONVEYOR_LEASE_SECONDS": "soon"})


def test_lease_timing_and_broker_from_config_toml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "conveyor").mkdir()
    (tmp_path / "conveyor" / "config.toml").write_text(
        '[heartbeat]\nseconds = 2\n[lease]\nseconds = 20\n[retry]\nlost = 3\n[broker]\nurl = "valkey://v:6379/1"\n'
    )
    assert lease_timing({}) == LeaseTiming(2.0, 20.0, 3)
    assert broker_url(None, {}) == "redis://v:6379/1"
    assert broker_url("redis://given:1/0", {}) == "redis://given:1/0"
