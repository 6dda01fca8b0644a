"""Settings are read once, into one `Settings` value built in bootstrap (DESIGN.md §3); the
modules below it are handed values, not the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import conveyor
from conveyor.bootstrap.settings import Settings, load_settings
from conveyor.errors import UsageError
from conveyor.store.location import DEFAULT_TIMEOUT, DatabaseSettings

SOURCE = Path(conveyor.__file__).parent
# Where a CONVEYOR_* variable may still be read: the one reader (bootstrap/settings.py); the
# store's location module, whose readers (`conveyor_home`, `database_settings`, given a mapping)
# `load_settings` uses and whose defaults serve callers outside bootstrap (tests, `conveyor
# daemon`); and the daemon's thin client, its wire and its server (layer 7, above bootstrap: the
# client must decide without importing it, and the server reads its idle timeout before any
# command runs; docs/daemon.md).
READERS = {
    "bootstrap/settings.py",
    "store/location.py",
    "cli/daemon/client.py",
    "cli/daemon/wire.py",
    "cli/daemon/server.py",
}
ENV_READ = re.compile(
    r"os\.environ.*CONVEYOR_|CONVEYOR_.*os\.environ|_env_layer\(os\.environ"
    r"|environ(\.get\(|\[)\s*[\"']CONVEYOR_|getenv\(\s*[\"']CONVEYOR_"
)
# The store's readers of the environment, called without a mapping or a value handed in: only
# as the store openers' default for callers outside bootstrap (store/handle.py), and by the
# daemon for its own start (`conveyor daemon`, its server: docs/daemon.md).
DEFAULT_READS = re.compile(r"\b(conveyor_home|database_settings|lock_timeout|configured_url)\(\)")
DEFAULT_READERS = {
    "store/location.py",
    "store/handle.py",
    "cli/daemon/control.py",
    "cli/daemon/server.py",
    "cli/daemon_command.py",
}


def test_the_variables_are_read_into_one_value(tmp_path: Path) -> None:
    environ = {
        "CONVEYOR_HOME": str(tmp_path / "home"),
        "CONVEYOR_PARALLEL": "3",
        "CONVEYOR_PLAIN": "1",
        "CONVEYOR_ACTOR": "ann",
        "CONVEYOR_SERVICES_RUNTIME_DIR": "/run/x",
        "CONVEYOR_NPM_REGISTRY": "http://127.0.0.1:4873/",
        "PATH": "/bin",
    }
    assert load_settings(environ) == Settings(
        home=tmp_path / "home",
        parallel=3,
        plain=True,
        actor="ann",
        services_variables={"CONVEYOR_SERVICES_RUNTIME_DIR": "/run/x"},
        npm_registry="http://127.0.0.1:4873/",
    )
    assert (tmp_path / "home").is_dir()


def test_defaults_without_variables(tmp_path: Path) -> None:
    settings = load_settings({"XDG_DATA_HOME": str(tmp_path), "CONVEYOR_PARALLEL": "zero"})
    assert settings.home == tmp_path / "conveyor"
    assert settings.parallel == (os.cpu_count() or 1)
    assert (settings.plain, settings.actor, settings.services_variables) == (False, None, {})


def test_no_module_below_bootstrap_reads_conveyor_variables_itself() -> None:
    readers = {
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if ENV_READ.search(path.read_text(encoding="utf-8"))
    }
    assert readers <= READERS, sorted(readers - READERS)


def test_no_module_below_bootstrap_falls_back_on_the_stores_readers() -> None:
    """The store's openers are handed the home and the database settings by their callers
    (bootstrap, the CLI through `Settings`); only `open_store()`'s own default reads them."""
    readers = {
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if DEFAULT_READS.search(path.read_text(encoding="utf-8"))
    }
    assert readers <= DEFAULT_READERS, sorted(readers - DEFAULT_READERS)


def test_the_database_variables_are_read_into_the_settings(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "CONVEYOR_HOME": str(tmp_path),
            "CONVEYOR_DATABASE_URL": " postgresql://app:s3cr3t-pw@db.example/conveyor ",
            "CONVEYOR_DATABASE_TIMEOUT": "2.5",
        }
    )
    url = "postgresql://app:s3cr3t-pw@db.example/conveyor"
    assert settings.database == DatabaseSettings(url, 2.5)
    assert "s3cr3t-pw" not in repr(settings)  # a logged Settings value shows no password


def test_without_database_variables_the_sqlite_file_and_its_timeout(tmp_path: Path) -> None:
    settings = load_settings({"CONVEYOR_HOME": str(tmp_path)})
    assert settings.database == DatabaseSettings(url="", timeout=DEFAULT_TIMEOUT)
    assert settings.database.url_for(tmp_path) == f"sqlite:///{tmp_path / 'conveyor.db'}"


def test_an_invalid_database_timeout_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    message = r"^CONVEYOR_DATABASE_TIMEOUT must be a number of seconds, not 'soon'$"
    with pytest.raises(UsageError, match=message):
        load_settings({"CONVEYOR_HOME": str(tmp_path), "CONVEYOR_DATABASE_TIMEOUT": "soon"})
