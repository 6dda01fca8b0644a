"""The `docker run` command line of a Docker action or `docker://` step, built as GitHub's runner
builds it (a pure function: no engine answers on the machines the tests run on)."""

from __future__ import annotations

from pathlib import Path

from conveyor.executors.local.docker_action import (
    ContainerStep,
    build_argv,
    container_environment,
    docker_run_argv,
    image_arguments,
)

WORKSPACE = Path("/home/u/.conveyor/runs/1/jobs/build/repo")
TEMP = Path("/home/u/.conveyor/runs/1/jobs/build/_temp")


def _step(**values: object) -> ContainerStep:
    defaults: dict[str, object] = {
        "image": "alpine:3.19",
        "name": "alpine_3_19_abc123",
        "workspace": WORKSPACE,
        "temp": TEMP,
        "env_names": ("INPUT_WHO", "GITHUB_OUTPUT", "HOME"),
    }
    defaults.update(values)
    return ContainerStep(**defaults)  # type: ignore[arg-type]


def test_the_command_line_is_the_runners() -> None:
    argv = docker_run_argv("/usr/bin/docker", _step(entrypoint="/entry.sh", args=("a b", "")))
    assert argv == [
        "/usr/bin/docker",
        "run",
        "--name",
        "alpine_3_19_abc123",
        "--label",
        "conveyor",
        "--workdir",
        "/github/workspace",
        "--rm",
        "-e",
        "INPUT_WHO",
        "-e",
        "GITHUB_OUTPUT",
        "-e",
        "HOME",
        "-e",
        "GITHUB_ACTIONS=true",
        "-e",
        "CI=true",
        "--entrypoint",
        "/entry.sh",
        "--network",
        "host",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        "-v",
        f"{TEMP}/_github_home:/github/home",
        "-v",
        f"{TEMP}/_github_workflow:/github/workflow",
        "-v",
        f"{TEMP}/_runner_file_commands:/github/file_commands",
        "-v",
        f"{WORKSPACE}:/github/workspace",
        "alpine:3.19",
        "a b",
        "",
    ]


def test_ci_is_not_forced_when_the_step_sets_it() -> None:
    argv = docker_run_argv("podman", _step(env_names=("CI",), entrypoint=""))
    assert "CI=true" not in argv
    assert "--entrypoint" not in argv


def test_host_paths_become_container_paths() -> None:
    env = container_environment(
        {
            "GITHUB_OUTPUT": f"{TEMP}/_runner_file_commands/set_output",
            "GITHUB_EVENT_PATH": f"{TEMP}/_github_workflow/event.json",
            "GITHUB_WORKSPACE": str(WORKSPACE),
            "OTHER": "/usr/share",
        },
        WORKSPACE,
        TEMP,
    )
    assert env == {
        "GITHUB_OUTPUT": "/github/file_commands/set_output",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_WORKSPACE": "/github/workspace",
        "OTHER": "/usr/share",
        "HOME": "/github/home",
    }


def test_docker_image_steps_take_entrypoint_and_args_from_with() -> None:
    assert image_arguments({"args": "-c 'echo hi there'", "entrypoint": "sh"}) == (
        "sh",
        ("-c", "echo hi there"),
    )
    assert image_arguments({}) == ("", ())


def test_a_dockerfile_is_built_first() -> None:
    argv = build_argv("docker", Path("/a/action/Dockerfile"), "conveyor-action:abc")
    assert argv == [
        "docker",
        "build",
        "-t",
        "conveyor-action:abc",
        "-f",
        "/a/action/Dockerfile",
        "/a/action",
    ]
