"""`[services]` settings for `conveyor run`: the layers, their errors, and the container policy."""

from __future__ import annotations

import os
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from conveyor.bootstrap.local_run import configured_services
from conveyor.bootstrap.services_wiring import (
    env_variable,
    lazy_services_starter,
    services_starter,
    services_table,
)
from conveyor.bootstrap.settings import read_config, user_config_path
from conveyor.engine.ports.executor import CancelSignal
from conveyor.engine.ports.services import ContainerPolicy, ServiceRequest, StartedServices
from conveyor.errors import ConveyorError, InfrastructureError, UsageError
from conveyor.model.services import ContainerSpec, ServiceSpec
from conveyor.services.fake import FakeServiceProvider, fake_launcher
from conveyor.services.registry import launcher_from_settings
from tests.unit.executors.harness import RecordingReporter, document
from tests.unit.services.factories import HERE, service

NODE = ContainerSpec(image="node:20-bookworm-slim", location=HERE)


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user config directory, and no CONVEYOR_SERVICES_* variables."""
    config_home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    for setting in ("runtime-dir", "cache-dir", "user", "container", "startup-timeout"):
        monkeypatch.delenv(env_variable(setting), raising=False)
    return config_home / "conveyor"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_no_settings_anywhere_is_an_empty_table(repo: Path, user_dir: Path) -> None:
    assert user_config_path() == user_dir / "config.toml"
    assert services_table(repo) == {}
    _launcher, settings = launcher_from_settings(services_table(repo))
    assert settings.container is ContainerPolicy.HOST


def test_the_repository_table_is_read_with_relative_paths_from_the_repository(
    repo: Path, user_dir: Path
) -> None:
    write(
        repo / "conveyor.toml",
        """
        [services]
        runtime-dir = "scratch"
        cache-dir = "~/pg-templates"
        container = "fail"
        startup-timeout = 5
        "acme/cache:*" = "redis"
        """,
    )
    table = services_table(repo)
    assert table["runtime-dir"] == str(repo / "scratch")
    assert table["cache-dir"] == "~/pg-templates"
    _launcher, settings = launcher_from_settings(table)
    assert settings.container is ContainerPolicy.FAIL
    assert settings.startup_timeout == 5.0
    assert settings.cache_dir == Path.home() / "pg-templates"


def test_variables_win_over_the_repository_which_wins_over_the_user(
    repo: Path, user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        user_dir / "config.toml",
        """
        [services]
        container = "fail"
        user = "svc-user"
        startup-timeout = 9
        "acme/pg:*" = "redis"
        "user/only:*" = "redis"
        """,
    )
    write(
        repo / "conveyor.toml",
        """
        [services]
        startup-timeout = 7
        user = "svc-repo"
        "acme/pg:*" = { provider = "postgres", extensions = ["vector"] }
        """,
    )
    monkeypatch.setenv("CONVEYOR_SERVICES_STARTUP_TIMEOUT", "2.5")
    table = services_table(repo)
    assert table["startup-timeout"] == 2.5  # the variable
    assert table["user"] == "svc-repo"  # conveyor.toml over the user's file
    assert table["container"] == "fail"  # only in the user's file
    rules = [key for key in table if "/" in key]
    assert rules == ["acme/pg:*", "user/only:*"]  # the repository's rules first
    assert table["acme/pg:*"] == {"provider": "postgres", "extensions": ["vector"]}
    launcher, _settings = launcher_from_settings(table)
    assert launcher.registry.provider_for("acme/pg:16").name == "postgres"
    assert launcher.registry.provider_for("user/only:1").name == "redis"


def test_the_container_policy_comes_from_the_variable(
    repo: Path, user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "conveyor.toml", '[services]\ncontainer = "fail"\n')
    monkeypatch.setenv(env_variable("container"), "host")
    assert env_variable("container") == "CONVEYOR_SERVICES_CONTAINER"
    assert services_table(repo)["container"] == "host"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[services]\ncontainer = "maybe"\n', "'container' has an invalid value: 'maybe'"),
        ('[services]\n"x/y:*" = "mysql"\n', "unknown provider 'mysql'"),
        ('[services."x/y:*"]\nprovider = "redis"\nport = 1\n', "unknown services rule option"),
        ("services = 3\n", "[services] must be a table"),
        ("[services\n", "invalid TOML"),
    ],
)
def test_errors_name_the_file(repo: Path, user_dir: Path, text: str, expected: str) -> None:
    path = write(repo / "conveyor.toml", text)
    with pytest.raises(UsageError) as caught:
        services_table(repo)
    assert str(caught.value).startswith(f"{path}:")
    assert expected in str(caught.value)


def test_errors_in_the_user_file_name_it(repo: Path, user_dir: Path) -> None:
    path = write(user_dir / "config.toml", "[services]\nstartup-timeout = -1\n")
    with pytest.raises(UsageError, match="startup-timeout") as caught:
        services_table(repo)
    assert str(caught.value).startswith(f"{path}: [services]:")


def test_a_bad_variable_names_it(
    repo: Path, user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONVEYOR_SERVICES_STARTUP_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="CONVEYOR_SERVICES_STARTUP_TIMEOUT: not a number"):
        services_table(repo)
    monkeypatch.setenv("CONVEYOR_SERVICES_STARTUP_TIMEOUT", "1")
    monkeypatch.setenv("CONVEYOR_SERVICES_CONTAINER", "never")
    with pytest.raises(UsageError, match=r"CONVEYOR_SERVICES_\* variables: .*'never'"):
        services_table(repo)


def test_an_unreadable_config_is_a_usage_error(tmp_path: Path) -> None:
    assert read_config(tmp_path / "absent.toml").data == {}
    with pytest.raises(UsageError, match="cannot read"):
        read_config(tmp_path)  # a directory


def test_the_starter_yields_contexts_and_names_each_log(tmp_path: Path) -> None:
    provider = FakeServiceProvider()
    starter = services_starter(fake_launcher(provider), tmp_path / "services")
    reporter = RecordingReporter()
    db = service("db", "postgres:16", ports=("5432:5432",))
    doc = document(tmp_path, (), services=(db,), run_id="77", instance_key="test (1)")
    with starter(doc, reporter) as contexts:
        assert contexts == {"db": {"id": "conveyor-fake-db", "network": "host",
                                   "ports": {"5432": "5432"}}}  # fmt: skip
        assert len(provider.live()) == 1
    assert provider.live() == []
    log = tmp_path / "services" / "77" / "test__1_" / "db.log"
    assert f"service db (postgres:16): fake on 127.0.0.1 ports 5432→5432; log: {log}" in (
        reporter.text(None)
    )


def test_the_fail_policy_fails_a_container_job_naming_the_image(tmp_path: Path) -> None:
    provider = FakeServiceProvider()
    starter = services_starter(fake_launcher(provider), None, ContainerPolicy.FAIL)
    doc = document(tmp_path, (), container=NODE, services=(service(),))
    with (
        pytest.raises(InfrastructureError, match="'node:20-bookworm-slim'"),
        starter(doc, RecordingReporter()),
    ):
        pytest.fail("the job must not start")
    assert provider.started == []  # no service was started for it
    with services_starter(fake_launcher(provider), None)(doc, RecordingReporter()) as contexts:
        assert set(contexts) == {"db"}  # the host policy runs it


def test_the_lazy_starter_reads_the_repository_settings(repo: Path, user_dir: Path) -> None:
    write(repo / "conveyor.toml", '[services]\ncontainer = "fail"\n')
    starter = lazy_services_starter(None)
    plain = document(repo, ())
    with starter(plain, RecordingReporter()) as contexts:
        assert contexts == {}
    boxed = document(repo, (), container=NODE)
    with pytest.raises(InfrastructureError, match="'node:20-bookworm-slim'"):
        starter(boxed, RecordingReporter()).__enter__()
    given = lazy_services_starter(None, {"container": "host"})
    with given(boxed, RecordingReporter()) as contexts:
        assert contexts == {}


def test_the_lazy_starter_reports_configuration_errors_as_job_errors(
    repo: Path, user_dir: Path
) -> None:
    write(repo / "conveyor.toml", '[services]\n"x:*" = "mysql"\n')
    starter = lazy_services_starter(None)
    with pytest.raises(ConveyorError, match="unknown provider 'mysql'"):
        starter(document(repo, (), services=(service(),)), RecordingReporter())


class RecordingLauncher:
    """The fake launcher, remembering the CancelSignal each start was given."""

    def __init__(self) -> None:
        self.inner = fake_launcher()
        self.cancels: list[CancelSignal | None] = []

    def start_all(
        self,
        specs: Sequence[ServiceSpec],
        request: ServiceRequest,
        cancel: CancelSignal | None = None,
    ) -> StartedServices:
        self.cancels.append(cancel)
        return self.inner.start_all(specs, request, cancel)


def test_the_job_cancel_signal_reaches_the_launcher(tmp_path: Path) -> None:
    launcher = RecordingLauncher()
    starter = services_starter(launcher, None)
    doc = document(tmp_path, (), services=(service(),))
    cancel = threading.Event()
    with starter(doc, RecordingReporter(), cancel):
        pass
    with starter(doc, RecordingReporter()):  # the executor's present two-argument call
        pass
    assert launcher.cancels == [cancel, None]


def test_a_run_checks_services_settings_up_front_only_when_there_are_some(
    repo: Path, user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in os.environ if name.startswith("CONVEYOR_SERVICES_")]:
        monkeypatch.delenv(name)
    write(repo / "conveyor.toml", "[other]\nx = 1\n")
    assert configured_services(repo) is None  # nothing to check: the job reads its defaults
    write(user_dir / "config.toml", "[services]\nstartup-timeout = 9\n")
    assert configured_services(repo) == {"startup-timeout": 9}
    write(repo / "conveyor.toml", "[services]\ncontainer = 'sometimes'\n")
    with pytest.raises(UsageError, match=r"conveyor.toml: \[services\]"):
        configured_services(repo)
