"""Shared test fixtures: where ../shared is, and an isolated CONVEYOR_HOME.

../shared holds the corpora some tests read (nektos/act's tests, webhook payloads, real-world
workflows). A fresh clone has no ../shared beside it: those tests then skip and say why. CI sets
CONVEYOR_REQUIRE_SHARED=1, and then they fail instead. One mechanism covers every such test:

- the `shared` fixture (its path) for a test or fixture that reads ../shared when it runs;
- `shared_params(load)` for parameters read from ../shared while the tests are collected;
- the `shared` mark for a test that reads it by another way (e.g. a module constant).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONVEYOR_SHARED") or REPO_ROOT.parent / "shared")
REQUIRE_SHARED = "CONVEYOR_REQUIRE_SHARED"


def shared_absence() -> str | None:
    """Why the tests that read ../shared cannot run here, or None when they can."""
    if SHARED.is_dir():
        return None
    return (
        f"needs ../shared (the act corpus, webhook payloads, real-world workflows), which is "
        f"absent: no directory {SHARED} (set CONVEYOR_SHARED to where it is)"
    )


def require_shared() -> Path:
    """../shared, or skip the calling test with the reason (fail it: CONVEYOR_REQUIRE_SHARED=1)."""
    reason = shared_absence()
    if reason is None:
        return SHARED
    if os.environ.get(REQUIRE_SHARED) == "1":
        pytest.fail(f"{reason}; {REQUIRE_SHARED}=1 requires it", pytrace=False)
    pytest.skip(reason)


def shared_params(load: Callable[[Path], Iterable[Any]]) -> list[Any]:
    """Parameters read from ../shared at collection time: `load(SHARED)`, or, when ../shared is
    absent, a single `shared-absent` parameter carrying the `shared` mark (skipped or failed with
    the reason), so that collection never reads a missing file."""
    if shared_absence() is None:
        return list(load(SHARED))
    return [pytest.param(None, id="shared-absent", marks=pytest.mark.shared)]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `shared` stop before any of their fixtures runs when ../shared is absent."""
    if item.get_closest_marker("shared") is not None:
        require_shared()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared directory (session-scoped: set up before the fixtures that copy from it)."""
    return require_shared()


@pytest.fixture(autouse=True)
def conveyor_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test gets its own CONVEYOR_HOME so nothing leaks between tests or to the user."""
    home = tmp_path_factory.mktemp("conveyor-home")
    previous = os.environ.get("CONVEYOR_HOME")
    os.environ["CONVEYOR_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("CONVEYOR_HOME", None)
    else:
        os.environ["CONVEYOR_HOME"] = previous


@pytest.fixture(autouse=True, scope="session")
def no_action_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Remote actions are fetched from a Git server that has no repositories unless a test
    names its own (tests/support/git_server.py): no test reaches the internet for an action."""
    empty = tmp_path_factory.mktemp("no-git-server")
    previous = os.environ.get("CONVEYOR_ACTIONS_URL")
    os.environ.setdefault("CONVEYOR_ACTIONS_URL", empty.as_uri())
    yield
    if previous is None:
        os.environ.pop("CONVEYOR_ACTIONS_URL", None)


@pytest.fixture(autouse=True, scope="session")
def no_daemon_started() -> Iterator[None]:
    """At a terminal (`pytest -s`) a `conveyor` command would start a daemon by itself
    (CONVEYOR_DAEMON's default, docs/daemon.md): tests that want one say so."""
    previous = os.environ.get("CONVEYOR_DAEMON")
    os.environ.setdefault("CONVEYOR_DAEMON", "on")
    yield
    if previous is None:
        os.environ.pop("CONVEYOR_DAEMON", None)


# The local Git server (tests/support/git_server.py): `git_server` and `git_http` fixtures.
pytest_plugins = ["tests.support.git_server"]
