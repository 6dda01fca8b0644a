"""Settings are read once, into one `Settings` value built in bootstrap (DESIGN.md §3); the
modules below it are handed values, not the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path

import conveyor
from conveyor.bootstrap.settings import Settings, load_settings

SOURCE = Path(conveyor.__file__).parent
# Where a CONVEYOR_* variable may still be read: the one reader; the store's own location
# module and quick listing (the store work owns them; Settings uses `usable_home`); the services'
# cache directory when a caller gives none (services/runtime.default_cache_dir, pinned by its
# tests); the stdlib store's choice of adapter (CONVEYOR_DATABASE_URL, as store/location); and
# the daemon's thin client and server (layer 7, above bootstrap: the client must decide without
# importing it, and the server reads its idle timeout before any command runs).
READERS = {
    "bootstrap/settings.py",
    "store/location.py",
    "store/quick_listing.py",
    "store/lite_database.py",
    "services/runtime.py",
    "cli/daemon/client.py",
    "cli/daemon/server.py",
}
ENV_READ = re.compile(r"os\.environ.*CONVEYOR_|CONVEYOR_.*os\.environ|_env_layer\(os\.environ")


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
