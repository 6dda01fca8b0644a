"""Settings, runtime directories' defaults and log tails."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.engine.ports.services import ContainerPolicy
from conveyor.services.runtime import ServiceSettings, default_cache_dir, log_tail


def test_settings_from_a_table_leave_the_rules() -> None:
    settings, rules = ServiceSettings.from_table(
        {"cache-dir": "~/c", "user": "svc", "startup-timeout": 5, "redis:*": "redis"}
    )
    assert settings == ServiceSettings(
        cache_dir=Path("~/c").expanduser(), user="svc", startup_timeout=5.0
    )
    assert settings.container is ContainerPolicy.HOST
    assert rules == {"redis:*": "redis"}


def test_cache_lives_under_conveyor_home(conveyor_home: Path) -> None:
    assert default_cache_dir() == conveyor_home / "cache" / "services"


def test_cache_falls_back_to_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CONVEYOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "conveyor" / "cache" / "services"


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert log_tail(log, 3) == "line 97\nline 98\nline 99"
    assert log_tail(tmp_path / "missing.log") == "(no log)"
    (tmp_path / "empty.log").write_text("")
    assert log_tail(tmp_path / "empty.log") == "(the log is empty)"
