from __future__ import annotations

import pytest

from conveyor.executors.local.workflow_commands import parse_command


def test_command_with_properties_and_escapes() -> None:
    command = parse_command("  ::ERROR file=a%2Cb.py,line=3,title=T%3A1::first%0Asecond%25")
    assert command is not None
    assert command.name == "error"
    assert command.properties == {"file": "a,b.py", "line": "3", "title": "T:1"}
    assert command.data == "first\nsecond%"
    assert command.get("FILE") == "a,b.py"


def test_escapes_are_single_pass() -> None:
    command = parse_command("::debug::%250A")
    assert command is not None
    assert command.data == "%0A"


@pytest.mark.parametrize("line", ["plain text", "::no-end", ":: ::data", "x ::debug::y"])
def test_ordinary_lines(line: str) -> None:
    assert parse_command(line) is None


def test_empty_data_and_names() -> None:
    command = parse_command("::endgroup::")
    assert command is not None
    assert (command.name, command.data) == ("endgroup", "")
