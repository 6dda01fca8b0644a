from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conveyor.executors.local.shells import PWSH_PROLOGUE, ShellError, resolve_shell

PATH = os.environ.get("PATH", os.defpath)
BASH = shutil.which("bash") or "/bin/bash"


def test_unset_shell_is_bash_e() -> None:
    shell = resolve_shell(None, PATH)
    assert shell.argv("/t/s.sh") == [BASH, "-e", "/t/s.sh"]
    assert shell.extension == ".sh"


def test_unset_shell_falls_back_to_sh_without_bash(tmp_path: Path) -> None:
    (tmp_path / "sh").symlink_to(shutil.which("sh") or "/bin/sh")
    shell = resolve_shell("", str(tmp_path))
    assert shell.argv("s") == [str(tmp_path / "sh"), "-e", "s"]


def test_built_in_command_lines() -> None:
    assert resolve_shell("bash", PATH).argv("f") == [
        BASH,
        "--noprofile",
        "--norc",
        "-eo",
        "pipefail",
        "f",
    ]
    assert resolve_shell("sh", PATH).arguments == ("-e", "{0}")
    python = resolve_shell("python", PATH)
    assert python.extension == ".py"
    assert python.arguments == ("{0}",)


def test_python_falls_back_to_python3(tmp_path: Path) -> None:
    (tmp_path / "python3").symlink_to(shutil.which("python3") or "/usr/bin/python3")
    assert resolve_shell("python", str(tmp_path)).program == str(tmp_path / "python3")


def test_custom_template_keeps_paths_with_spaces_whole() -> None:
    shell = resolve_shell("bash -x '{0}' extra", PATH)
    assert shell.argv("/dir with spaces/s") == [BASH, "-x", "/dir with spaces/s", "extra"]
    assert shell.extension == ""


def test_pwsh_wrapping(tmp_path: Path) -> None:
    fake = tmp_path / "pwsh"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    shell = resolve_shell("pwsh", str(tmp_path))
    assert shell.argv("/s.ps1") == [str(fake), "-command", ". '/s.ps1'"]
    assert shell.script_text("Write-Output 1").startswith(PWSH_PROLOGUE)
    assert "LASTEXITCODE" in shell.script_text("x")


@pytest.mark.parametrize(
    ("keyword", "message"),
    [
        ("cmd", "only available on Windows"),
        ("powershell", "only available on Windows"),
        ("perl", "must contain '{0}'"),
        ("no-such-program-xyz {0}", "was not found"),
        ("bash '{0}", "Invalid shell option"),
    ],
)
def test_unusable_shells(keyword: str, message: str) -> None:
    with pytest.raises(ShellError, match=message):
        resolve_shell(keyword, PATH)


def test_the_shell_is_found_as_shutil_which_finds_it(tmp_path: Path) -> None:
    """The lookup on PATH (made for every step) answers what `shutil.which` answers: the first
    executable regular file, skipping directories and files that are not executable."""
    folders = {name: tmp_path / name for name in ("a", "b", "c", "d")}
    for folder in folders.values():
        folder.mkdir()
    (folders["a"] / "bash").mkdir()  # a directory named bash
    (folders["b"] / "bash").write_text("")  # not executable
    (folders["c"] / "bash").write_text("#!/bin/sh\n")
    (folders["c"] / "bash").chmod(0o755)
    (folders["d"] / "bash").symlink_to(folders["c"] / "bash")
    shapes = [
        f"{folders['a']}:{folders['b']}:{folders['c']}:{folders['d']}",
        f"{folders['d']}:{folders['c']}",
        f"{folders['a']}::{folders['b']}",
        f"{folders['a']}:{folders['a']}:{folders['b']}",
        str(tmp_path / "missing"),
        "",
    ]
    for search_path in shapes:
        expected = shutil.which("bash", path=search_path)
        if expected is None:
            with pytest.raises(ShellError):
                resolve_shell("bash", search_path)
        else:
            assert resolve_shell("bash", search_path).program == expected, search_path
