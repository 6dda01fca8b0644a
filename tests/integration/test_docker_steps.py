"""Docker steps through an engine: a stand-in engine (a shell script answering `info` and
printing what `run` was given) shows the command line and the environment conveyor hands it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration

ENGINE = """#!/bin/sh
if [ "$1" = info ]; then exit 0; fi
echo "argv: $*"
echo "who=$INPUT_WHO home=$HOME out=$GITHUB_OUTPUT from_action=$FROM_ACTION"
"""

ACTION = """
inputs:
  who: {default: world}
runs:
  using: docker
  image: docker://alpine:3.19
  entrypoint: /bin/echo
  args: ["hello ${{ inputs.who }}"]
  env:
    FROM_ACTION: yes-${{ inputs.who }}
"""


@pytest.fixture
def engine(tmp_path: Path) -> str:
    path = tmp_path / "engine"
    path.write_text(ENGINE)
    path.chmod(0o755)
    return str(path)


def test_a_docker_action_and_an_image_step_run_through_the_engine(
    tmp_path: Path, conveyor_home: Path, engine: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"act/action.yml": ACTION})
    doc = document(
        repo,
        steps(
            {"uses": "./act", "with": {"who": "Mona"}},
            {"uses": "docker://busybox:1", "with": {"entrypoint": "sh", "args": "-c 'exit 0'"}},
        ),
    )
    result, reporter = run_job(doc, conveyor_home, container_engines=(engine,))
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    argv, seen = reporter.output(0)[-2:]
    assert argv.startswith("argv: run --name alpine_3_19_")
    assert "--entrypoint /bin/echo --network host" in argv
    assert argv.endswith("alpine:3.19 hello Mona")
    assert "-e INPUT_WHO -e " in argv
    assert "Mona" not in argv.split("alpine:3.19")[0]  # values never on the command line
    assert seen == (
        "who=Mona home=/github/home out=/github/file_commands/set_output from_action=yes-Mona"
    )
    image_argv = reporter.output(1)[-2]
    assert "--entrypoint sh --network host" in image_argv
    assert image_argv.endswith("busybox:1 -c exit 0")
