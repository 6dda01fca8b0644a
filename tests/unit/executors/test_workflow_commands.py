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


def test_legacy_form_with_semicolon_properties() -> None:
    command = parse_command("##[set-output name=result;]hello%3Bworld%5D")
    assert command is not None
    assert (command.name, command.data, command.get("NAME")) == (
        "set-output",
        "hello;world]",
        "result",
    )


def test_legacy_form_anywhere_in_the_line_and_its_escapes() -> None:
    command = parse_command(">>>   ##[Warning file=a%3Bb.py;line=3;;empty=;]x%0Ay%25")
    assert command is not None
    assert command.name == "warning"
    assert command.properties == {"file": "a;b.py", "line": "3"}
    assert command.data == "x\ny%"


def test_legacy_form_without_properties_or_data() -> None:
    command = parse_command("##[endgroup]")
    assert command is not None
    assert (command.name, command.data, dict(command.properties)) == ("endgroup", "", {})


@pytest.mark.parametrize("line", ["##[", "##[]data", "## [debug]x", "##[debug x"])
def test_not_legacy_commands(line: str) -> None:
    assert parse_command(line) is None


def test_the_double_colon_form_wins_over_the_legacy_one() -> None:
    command = parse_command("::debug::see ##[error]here")
    assert command is not None
    assert (command.name, command.data) == ("debug", "see ##[error]here")
