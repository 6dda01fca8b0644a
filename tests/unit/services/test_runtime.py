"""Settings, runtime directories' defaults and log tails."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.settings import load_settings
from conveyor.engine.ports.services import ContainerPolicy
from conveyor.errors import InfrastructureError
from conveyor.services.registry import registry_from_settings
from conveyor.services.runtime import ServiceRuntime, ServiceSettings, log_tail


def test_settings_from_a_table_leave_the_rules() -> None:
    settings, rules = ServiceSettings.from_table(
        {"cache-dir": "~/c", "user": "svc", "startup-timeout": 5, "redis:*": "redis"}
    )
    assert settings == ServiceSettings(
        cache_dir=Path("~/c").expanduser(), user="svc", startup_timeout=5.0
    )
    assert settings.container is ContainerPolicy.HOST
    assert rules == {"redis:*": "redis"}


def test_the_cache_lives_under_the_home_it_is_handed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_HOME", str(tmp_path / "not-this-one"))
    runtime = ServiceRuntime(home=tmp_path / "home")
    assert runtime.cache_base == tmp_path / "home" / "cache" / "services"


def test_a_cache_dir_setting_wins_over_the_home(tmp_path: Path) -> None:
    runtime = ServiceRuntime(ServiceSettings(cache_dir=tmp_path / "c"), home=tmp_path / "home")
    assert runtime.cache_base == tmp_path / "c"


def test_without_a_home_or_a_cache_dir_the_cache_is_an_error_naming_the_setting() -> None:
    with pytest.raises(InfrastructureError, match="cache-dir"):
        _ = ServiceRuntime().cache_base


def test_the_registry_is_built_with_the_home_of_its_caller(tmp_path: Path) -> None:
    registry, _settings = registry_from_settings({"user": "svc"}, home=tmp_path)
    assert registry.runtime.cache_base == tmp_path / "cache" / "services"


def test_the_default_cache_is_under_the_settings_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behaviour kept: $XDG_DATA_HOME/conveyor/cache/services without CONVEYOR_HOME."""
    monkeypatch.delenv("CONVEYOR_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    registry, _settings = registry_from_settings({}, home=load_settings().home)
    assert registry.runtime.cache_base == tmp_path / "conveyor" / "cache" / "services"


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert log_tail(log, 3) == "line 97\nline 98\nline 99"
    assert log_tail(tmp_path / "missing.log") == "(no log)"
    (tmp_path / "empty.log").write_text("")
    assert log_tail(tmp_path / "empty.log") == "(the log is empty)"
