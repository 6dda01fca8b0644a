"""Shared test fixtures: where ../shared is, and an isolated CONVEYOR_HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONVEYOR_SHARED", REPO_ROOT.parent / "shared"))


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


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing: expected it at {SHARED}")
    return SHARED
