from __future__ import annotations

from conveyor.executors.local.environment import (
    github_variables,
    host_environment,
    prepend_path,
    runner_context,
    runner_variables,
)


def test_host_environment_drops_misleading_variables() -> None:
    env = host_environment(
        {
            "PATH": "/venv/bin:/usr/bin",
            "VIRTUAL_ENV": "/venv",
            "HOME": "/home/u",
            "SHELL": "/bin/zsh",
            "GITHUB_TOKEN": "x",
            "RUNNER_TEMP": "/t",
            "INPUT_FOO": "1",
            "CONVEYOR_JOB_TOKEN": "t",
            "CI": "false",
        }
    )
    assert env == {"PATH": "/usr/bin", "HOME": "/home/u", "CI": "true"}


def test_github_variables_convert_values() -> None:
    env = github_variables({"sha": "abc", "ref_protected": False, "run_id": 7, "base_ref": None})
    assert env["GITHUB_SHA"] == "abc"
    assert env["GITHUB_REF_PROTECTED"] == "false"
    assert env["GITHUB_RUN_ID"] == "7"
    assert env["GITHUB_BASE_REF"] == ""
    assert env["GITHUB_ACTIONS"] == "true"


def test_runner_context_and_variables() -> None:
    runner = runner_context("/t", "/tc", "/w", debug=False)
    assert runner["os"] in ("Linux", "macOS", "Windows")
    assert runner["arch"] in ("X64", "ARM64", "ARM", "X86")
    env = runner_variables(runner)
    assert env["RUNNER_TEMP"] == "/t"
    assert env["RUNNER_TOOL_CACHE"] == "/tc"
    assert "RUNNER_DEBUG" not in env
    assert runner_variables(runner_context("/t", "/tc", "/w", debug=True))["RUNNER_DEBUG"] == "1"


def test_prepend_path_moves_repeated_entries() -> None:
    assert prepend_path("/a:/b:/c", ["/c", "/x"]) == "/c:/x:/a:/b"
