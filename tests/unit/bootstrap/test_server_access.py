"""`anonymous_read`: CONVEYOR_ANONYMOUS_READ, else `[server] anonymous_read` in config.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.server_access import anonymous_read
from conveyor.errors import UsageError


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "conveyor").mkdir()
    return tmp_path / "conveyor" / "config.toml"


def test_off_by_default_on_by_the_variable_or_the_file(config: Path) -> None:
    assert anonymous_read({}) is False
    assert anonymous_read({"CONVEYOR_ANONYMOUS_READ": "1"}) is True
    assert anonymous_read({"CONVEYOR_ANONYMOUS_READ": "0"}) is False
    config.write_text("[server]\nanonymous_read = true\n")
    assert anonymous_read({}) is True
    assert anonymous_read({"CONVEYOR_ANONYMOUS_READ": "false"}) is False


def test_bad_values_name_where_they_are(config: Path) -> None:
    with pytest.raises(UsageError, match="CONVEYOR_ANONYMOUS_READ"):
        anonymous_read({"CONVEYOR_ANONYMOUS_READ": "maybe"})
    config.write_text('[server]\nanonymous_read = "yes"\n')
    with pytest.raises(UsageError, match=r"config.toml.*anonymous_read"):
        anonymous_read({})
