from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.executors.local.action_metadata import ActionLoadError, load_action


def _write(directory: Path, text: str, name: str = "action.yml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    return directory


def test_composite_action(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "a",
        """
name: demo
inputs:
  who: {required: true}
  count: {default: 3}
  on: {default: yes}
outputs:
  out: {value: "${{ steps.s.outputs.x }}"}
runs:
  using: composite
  steps:
    - id: s
      run: echo hi
      shell: bash
      if: ${{ inputs.count > 1 }}
      env: {A: 1}
    - uses: ./other
      with: {x: true}
      continue-on-error: true
""",
    )
    action = load_action(directory)
    assert action.is_composite
    assert action.name == "demo"
    assert [(i.name, i.default, i.required) for i in action.inputs] == [
        ("who", None, True),
        ("count", 3, False),
        ("on", "yes", False),
    ]
    assert action.outputs == {"out": "${{ steps.s.outputs.x }}"}
    first, second = action.steps
    assert (first.id, first.run, first.shell, first.env) == ("s", "echo hi", "bash", {"A": 1})
    assert first.condition == "${{ inputs.count > 1 }}"
    assert (first.location.line, first.location.column) == (12, 7)
    assert (second.uses, second.with_, second.continue_on_error) == ("./other", {"x": True}, True)


def test_node_action_with_yaml_extension(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "n",
        "runs:\n  using: node20\n  main: dist/index.js\n  post: post.js\n  post-if: success()\n",
        name="action.yaml",
    )
    action = load_action(directory)
    assert action.is_node
    assert action.main == "dist/index.js"
    assert (action.pre, action.post, action.pre_if, action.post_if) == (
        None,
        "post.js",
        "always()",
        "success()",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("runs:\n  using: composite\n", "missing steps"),
        ("runs:\n  using: composite\n  steps:\n  - name: only a name\n", "exactly one of"),
        ("runs:\n  using: node20\n", "runs.main"),
        ("name: x\n", "runs.using"),
        ("runs:\n  using: java\n", "not supported"),
        ("- a list\n", "must be a mapping"),
        ("runs: [\n", "cannot read"),
    ],
)
def test_invalid_actions(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ActionLoadError, match=message):
        load_action(_write(tmp_path / "bad", text))


def test_missing_action_and_dockerfile(tmp_path: Path) -> None:
    with pytest.raises(ActionLoadError, match="Did you forget to run actions/checkout"):
        load_action(tmp_path / "nothing")
    _write(tmp_path / "d", "FROM alpine\n", name="Dockerfile")
    assert load_action(tmp_path / "d").using == "docker"
