"""The floor under a trivial step: the step's shell spawned and reaped by a bare Python loop.

    python bench_shell_floor.py COUNT ENVIRONMENT_FILE WORKING_DIRECTORY

runs `bash --noprofile --norc -eo pipefail SCRIPT` (SCRIPT: `true`) COUNT times, one after the
other, each in its own session with its output read through a pipe to EOF, as conveyor runs a
step, with the environment read from ENVIRONMENT_FILE (`env -0` output: the environment a
conveyor step saw, so both pay the same for it). bench_engine.py times this script as a whole
process for COUNT = 100 and 1, in turn with conveyor's runs, and takes (100 − 1) / 99 as the
shell's own cost per step: what is left of conveyor's per-step wall above it is conveyor's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def read_environment(path: Path) -> dict[str, str]:
    """`env -0` output as a mapping (a value may hold newlines)."""
    pairs = path.read_bytes().split(b"\0")
    found = (pair.decode("utf-8", "surrogateescape").partition("=") for pair in pairs if pair)
    return {name: value for name, _, value in found}


def spawn(argv: list[str], env: dict[str, str], cwd: str) -> int:
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    while process.stdout.read(65536):
        pass
    process.stdout.close()
    return process.wait()


def main(argv: list[str]) -> int:
    count, environment, cwd = int(argv[0]), Path(argv[1]), argv[2]
    env = read_environment(environment)
    bash = shutil.which("bash", path=env.get("PATH")) or "bash"
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "step_script.sh"
        script.write_text("true\n")
        command = [bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)]
        failed = sum(spawn(command, env, cwd) != 0 for _ in range(count))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
