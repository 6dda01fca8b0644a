"""Docker actions (`runs.using: docker`) and `uses: docker://image` steps, through a
Docker-compatible engine when one answers.

The engine is the first of `docker`, `podman` whose `info` exits 0, asked once per executor (one
run) when the first such step runs. Without one the step fails with one line. With one, the
command line is GitHub runner's (`DockerCommandManager.DockerRun`, `ContainerActionHandler`):
`run --name --label --workdir /github/workspace --rm`, `-e NAME` for every variable (values go
through the engine's environment, never on the command line), `-e GITHUB_ACTIONS=true`,
`-e CI=true` unless set, `--entrypoint`, `--network`, the mounts (the docker socket, RUNNER_TEMP's
`_github_home`, `_github_workflow`, `_runner_file_commands`, the workspace), the image and its
arguments. Host paths in variables become container paths. conveyor's services run on the host,
so the network is `host` (GitHub's job network has the service containers instead). A
`Dockerfile` image is built first (`build -t TAG -f FILE DIR`). `pre-entrypoint` and
`post-entrypoint` are not run.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LABEL = "conveyor"
CONTAINER_WORKSPACE = "/github/workspace"
DOCKER_SOCKET = "/var/run/docker.sock"
ENGINES = ("docker", "podman")
_PROBE_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class ContainerStep:
    """What one container step runs (the variables' values are in the engine's environment)."""

    image: str
    name: str
    workspace: Path
    temp: Path
    env_names: tuple[str, ...] = ()
    entrypoint: str = ""
    args: tuple[str, ...] = ()
    network: str = "host"

    def mounts(self) -> tuple[tuple[str, str], ...]:
        return (
            (DOCKER_SOCKET, DOCKER_SOCKET),
            *((str(self.temp / folder), target) for folder, target in _TEMP_MOUNTS),
            (str(self.workspace), CONTAINER_WORKSPACE),
        )


_TEMP_MOUNTS = (
    ("_github_home", "/github/home"),
    ("_github_workflow", "/github/workflow"),
    ("_runner_file_commands", "/github/file_commands"),
)


def docker_run_argv(engine: str, step: ContainerStep) -> list[str]:
    """The engine's `run` command line for `step`, as GitHub's runner builds it."""
    argv = [engine, "run", "--name", step.name, "--label", LABEL]
    argv += ["--workdir", CONTAINER_WORKSPACE, "--rm"]
    for name in step.env_names:
        argv += ["-e", name]
    argv += ["-e", "GITHUB_ACTIONS=true"]
    if "CI" not in step.env_names:
        argv += ["-e", "CI=true"]
    if step.entrypoint:
        argv += ["--entrypoint", step.entrypoint]
    if step.network:
        argv += ["--network", step.network]
    for source, target in step.mounts():
        argv += ["-v", f"{source}:{target}"]
    return [*argv, step.image, *step.args]


def build_argv(engine: str, dockerfile: Path, tag: str) -> list[str]:
    """The engine's `build` command line for an action's Dockerfile."""
    return [engine, "build", "-t", tag, "-f", str(dockerfile), str(dockerfile.parent)]


def container_environment(env: Mapping[str, str], workspace: Path, temp: Path) -> dict[str, str]:
    """The step's variables as the container sees them: host paths translated, HOME set."""
    mapping = [(str(temp / folder), target) for folder, target in _TEMP_MOUNTS]
    mapping.append((str(workspace), CONTAINER_WORKSPACE))
    translated = {name: _translate(value, mapping) for name, value in env.items()}
    translated["HOME"] = "/github/home"
    return translated


def _translate(value: str, mapping: Sequence[tuple[str, str]]) -> str:
    for host, container in mapping:
        if value == host or value.startswith(host + "/"):
            return container + value[len(host) :]
    return value


def image_arguments(inputs: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """A `docker://` step's entrypoint and arguments: its `with: entrypoint` and `with: args`."""
    import shlex  # here (as uuid, hashlib): only Docker steps need them

    entrypoint = inputs.get("entrypoint", "")
    return entrypoint, tuple(shlex.split(inputs.get("args", "")))


def container_name(image: str) -> str:
    """A readable, unique container name, as the runner makes one (image + 6 hex)."""
    import uuid

    readable = "".join(c if c.isalnum() else "_" for c in image)[:60].strip("_") or "action"
    return f"{readable}_{uuid.uuid4().hex[:6]}"


def image_tag(dockerfile: Path) -> str:
    import hashlib  # here: it loads OpenSSL, which most runs never need

    digest = hashlib.sha256(str(dockerfile.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"conveyor-action:{digest}"


@dataclass(slots=True)
class ContainerEngines:
    """The first engine (`candidates`) whose `info` exits 0, asked once (thread-safe)."""

    candidates: tuple[str, ...] = ENGINES
    _answer: tuple[str | None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def engine(self) -> str | None:
        with self._lock:
            if self._answer is None:
                self._answer = (_first_answering(self.candidates),)
            return self._answer[0]


def _first_answering(candidates: Sequence[str]) -> str | None:
    for name in candidates:
        path = shutil.which(name)
        if path is not None and _answers(path):
            return path
    return None


def _answers(engine: str) -> bool:
    try:
        probe = subprocess.run(
            [engine, "info"], capture_output=True, timeout=_PROBE_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0
