"""LocalExecutor: `uses:` steps — local composite and node actions, docker and unknown remote
actions refused with a message, remote actions served from a local directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conveyor.model.results import Conclusion
from tests.unit.executors.harness import conclusions, document, make_repo, outcomes, run_job, steps

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("node") is None, reason="node actions need node"),
]

COMPOSITE = """
name: greet
inputs:
  who:
    required: true
  greeting:
    default: Hello
  flag:
    default: true
outputs:
  message:
    value: ${{ steps.say.outputs.message }}
  seen:
    value: ${{ inputs.flag }}-${{ env.FROM_STEP }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "message=${{ inputs.greeting }}, ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        echo "path=$GITHUB_ACTION_PATH env=$FROM_STEP"
    - shell: bash
      run: echo "PERSISTED=yes" >> "$GITHUB_ENV"
    - uses: ./actions/inner
      with:
        value: nested-${{ inputs.who }}
    - if: failure()
      shell: bash
      run: echo never
"""

INNER = """
name: inner
inputs:
  value: {}
runs:
  using: composite
  steps:
    - shell: sh
      run: echo "inner got ${{ inputs.value }} steps=${{ toJSON(steps) }}"
"""

FAILING = """
name: failing
outputs:
  early:
    value: ${{ steps.first.outputs.v }}
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      run: echo "v=kept" >> "$GITHUB_OUTPUT"
    - shell: bash
      run: exit 3
    - shell: bash
      run: echo skipped-inside
    - if: failure()
      shell: bash
      run: echo "inner failure() sees the composite"
"""

NODE_ACTION = """
name: node thing
inputs:
  who-to-greet:
    default: World
  stage:
    default: main
runs:
  using: node20
  pre: pre.js
  pre-if: ${{ runner.os == 'Linux' }}
  main: main.js
  post: post.js
  post-if: always()
"""

PRE_JS = """
const fs = require('fs');
console.log('pre sees ' + process.env['INPUT_WHO-TO-GREET']);
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=1\\n');
"""

MAIN_JS = """
const fs = require('fs');
const who = process.env['INPUT_WHO-TO-GREET'];
console.log('main sees ' + who + ' state ' + process.env.STATE_from_pre);
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeted=' + who + '\\n');
console.log('::save-state name=from_main::2');
if (process.env.FAIL_MAIN) process.exit(2);
"""

POST_JS = """
console.log('post sees ' + process.env.STATE_from_pre + process.env.STATE_from_main + ' ' +
  process.env.LATER);
if (process.env.FAIL_POST) process.exit(1);
"""


LEGACY_ACTION = """
name: written with @actions/core 1.0
runs:
  using: node12
  main: main.js
"""

LEGACY_JS = """
const os = require('os');
process.stdout.write('##[add-mask]legacy-dynamic-secret' + os.EOL);
process.stdout.write('##[set-output name=result;]done%3B legacy-dynamic-secret' + os.EOL);
process.stdout.write('##[save-state name=phase;]main' + os.EOL);
process.stdout.write('##[warning file=src/a.js;line=3;]old style' + os.EOL);
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "demo",
        {
            "actions/greet/action.yml": COMPOSITE,
            "actions/inner/action.yaml": INNER,
            "actions/failing/action.yml": FAILING,
            "actions/node/action.yml": NODE_ACTION,
            "actions/node/pre.js": PRE_JS,
            "actions/node/main.js": MAIN_JS,
            "actions/node/post.js": POST_JS,
            "actions/docker/action.yml": "runs:\n  using: docker\n  image: Dockerfile\n",
            "actions/legacy/action.yml": LEGACY_ACTION,
            "actions/legacy/main.js": LEGACY_JS,
        },
    )


def test_composite_inputs_outputs_env_and_nesting(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {
                "uses": "./actions/greet",
                "id": "g",
                "with": {"who": "Mona"},
                "env": {"FROM_STEP": "s"},
            },
            {
                "run": 'echo "${{ steps.g.outputs.message }}|${{ steps.g.outputs.seen }}|'
                '$PERSISTED|${FROM_STEP:-unset}"'
            },
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    composite_lines = reporter.output(0)
    assert any(
        line.startswith("path=") and line.endswith("actions/greet env=s")
        for line in composite_lines
    )
    assert "inner got nested-Mona steps={}" in composite_lines
    assert "never" not in composite_lines
    assert result.steps[0].outputs == {"message": "Hello, Mona", "seen": "true-s"}
    assert reporter.output(1) == ["Hello, Mona|true-s|yes|unset"]


def test_failing_composite_keeps_outputs_and_honours_continue_on_error(
    repo: Path, conveyor_home: Path
) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "./actions/failing", "id": "f", "continue_on_error": True},
            {"run": "echo ${{ steps.f.outputs.early }}-${{ steps.f.outcome }}"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert outcomes(result) == ["failure", "success"]
    assert conclusions(result) == ["success", "success"]
    assert "skipped-inside" not in reporter.output(0)
    assert "inner failure() sees the composite" in reporter.output(0)
    assert reporter.output(1) == ["kept-failure"]


def test_composite_run_step_needs_a_shell(repo: Path, conveyor_home: Path) -> None:
    (repo / "actions" / "noshell").mkdir()
    (repo / "actions" / "noshell" / "action.yml").write_text(
        "runs:\n  using: composite\n  steps:\n    - run: echo hi\n"
    )
    doc = document(repo, steps({"uses": "./actions/noshell"}), include_uncommitted=True)
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert "Required property is missing: shell" in reporter.text(0)


def test_action_written_by_an_earlier_step(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {
                "run": "runs:\n  using: composite\n  steps:\n  - run: echo from-generated\n"
                "    shell: bash\n",
                "shell": "cp {0} action.yml",
            },
            {"uses": "./"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert "from-generated" in reporter.output(1)


def test_node_action_pre_main_post_with_state(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "./actions/node", "id": "n", "with": {"who-to-greet": "Mona"}},
            {"run": 'echo "LATER=set-after-main" >> "$GITHUB_ENV"'},
            {"run": "echo ${{ steps.n.outputs.greeted }}"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    names = [step.name for step in result.steps]
    assert names[0] == "Pre Run ./actions/node"
    assert names[-1] == "Post Run ./actions/node"
    assert [step.index for step in result.steps] == [3, 0, 1, 2, 4]
    pre, main, post = result.steps[0], result.steps[1], result.steps[-1]
    assert pre.index == 3
    assert post.index == 4
    assert main.index == 0
    assert reporter.output(3) == ["pre sees Mona"]
    assert "main sees Mona state 1" in reporter.output(0)
    assert reporter.output(2) == ["Mona"]
    assert reporter.output(4) == ["post sees 12 set-after-main"]


def test_node_action_defaults_and_failing_post(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps({"uses": "./actions/node", "env": {"FAIL_POST": "1"}}, {"run": "echo fine"}),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert outcomes(result) == ["success", "success", "success", "failure"]
    assert "pre sees World" in reporter.text(2)


def test_post_runs_after_a_failed_main(repo: Path, conveyor_home: Path) -> None:
    doc = document(repo, steps({"uses": "./actions/node", "env": {"FAIL_MAIN": "1"}}))
    result, _ = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert [s.name.split()[0] for s in result.steps] == ["Pre", "Run", "Post"]
    assert outcomes(result) == ["success", "failure", "success"]


def test_docker_and_unknown_actions_fail_with_a_hint(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "docker://alpine:3.19"},
            {"uses": "./actions/docker", "condition": "always()"},
            {"uses": "someone/something@v1", "condition": "always()"},
            {"uses": "actions/checkout", "condition": "always()"},
            {"uses": "./no/such/action", "condition": "always()"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home, container_engines=("conveyor-no-engine",))
    assert outcomes(result) == ["failure"] * 5
    for index in (0, 1):
        errors = [line for line in reporter.output(index) if line.startswith("##[error]")]
        assert len(errors) == 1, reporter.text(index)
        assert "no Docker-compatible engine answers" in errors[0]
    assert "someone/something@v1" in reporter.text(2)
    assert "--action-dir someone/something=PATH" in reporter.text(2)
    assert "Expected format {org}/{repo}[/path]@ref" in reporter.text(3)
    assert "Can't find 'action.yml'" in reporter.text(4)


def test_without_an_engine_a_docker_step_fails_with_one_line(
    repo: Path, conveyor_home: Path
) -> None:
    """The real probe (`docker info`, `podman info`): no engine answers on the test machines."""
    from conveyor.executors.local.docker_action import ContainerEngines

    if ContainerEngines().engine() is not None:
        pytest.skip("a Docker-compatible engine answers here: the no-engine failure cannot happen")
    doc = document(repo, steps({"uses": "docker://alpine:3.19"}, {"run": "echo after"}))
    result, reporter = run_job(doc, conveyor_home)
    assert outcomes(result) == ["failure", "skipped"]
    lines = reporter.output(0)
    assert len(lines) == 1, lines
    assert lines[0].startswith("##[error]docker://alpine:3.19: no Docker-compatible engine answers")


def test_remote_action_from_a_local_directory(
    repo: Path, conveyor_home: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "sub").mkdir(parents=True)
    (mirror / "sub" / "action.yml").write_text(
        "runs:\n  using: composite\n  steps:\n"
        "  - run: echo mirrored ${{ github.action_repository }}@${{ github.action_ref }}\n"
        "    shell: bash\n"
    )
    stored = conveyor_home / "actions" / "acme" / "tool@v2"
    stored.mkdir(parents=True)
    (stored / "action.yml").write_text(
        "runs:\n  using: composite\n  steps:\n  - run: echo from-home\n    shell: bash\n"
    )
    doc = document(repo, steps({"uses": "octo/mirror/sub@v1"}, {"uses": "acme/tool@v2"}))
    result, reporter = run_job(doc, conveyor_home, action_directories={"octo/mirror": mirror})
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert reporter.output(0) == ["mirrored octo/mirror@v1"]
    assert reporter.output(1) == ["from-home"]


def test_composite_nesting_is_bounded(repo: Path, conveyor_home: Path) -> None:
    (repo / "actions" / "loop").mkdir()
    (repo / "actions" / "loop" / "action.yml").write_text(
        "runs:\n  using: composite\n  steps:\n  - uses: ./actions/loop\n"
    )
    doc = document(repo, steps({"uses": "./actions/loop"}), include_uncommitted=True)
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert "may nest at most 9 deep" in reporter.text(0)


def test_legacy_commands_of_an_old_node12_action(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"uses": "./actions/legacy", "id": "old"},
            {"run": 'echo "got ${{ steps.old.outputs.result }}"'},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert result.steps[0].outputs == {"result": "done; legacy-dynamic-secret"}
    assert reporter.output(0) == ["##[warning]old style"]
    assert (reporter.annotations[0].file, reporter.annotations[0].line) == ("src/a.js", 3)
    assert reporter.output(1) == ["got done; ***"]
    assert "legacy-dynamic-secret" not in reporter.text(every=True)
