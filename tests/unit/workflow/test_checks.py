"""Targeted checks: how values are read (coercion, expressions, contexts) and what is reported."""

from __future__ import annotations

import pytest

from conveyor.errors import Severity
from conveyor.workflow import LoadResult, load_workflow

HEAD = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n"


def load(text: str) -> LoadResult:
    return load_workflow("w.yml", text)


def codes(text: str) -> list[str]:
    return [f"{d.severity}:{d.code}" for d in load(text).diagnostics]


def step(body: str) -> str:
    return HEAD + "    steps:\n      - " + body.replace("\n", "\n      ") + "\n"


def test_scalars_become_strings_where_github_expects_strings() -> None:
    result = load(
        HEAD + "    env:\n      A: 1\n      B: true\n      C: 3.10\n      D:\n"
        "    steps:\n      - run: 12\n        name: 3\n"
    )
    assert result.workflow is not None
    job = result.workflow.jobs["build"]
    assert job.env == {"A": "1", "B": "true", "C": "3.1", "D": ""}
    assert (job.steps[0].run, job.steps[0].name) == ("12", "3")


def test_typed_keys_keep_their_types() -> None:
    result = load(
        HEAD + "    timeout-minutes: 30\n    continue-on-error: true\n    steps: [{run: a}]\n"
    )
    assert result.workflow is not None
    job = result.workflow.jobs["build"]
    assert (job.timeout_minutes, job.continue_on_error) == (30, True)


def test_a_whole_value_expression_is_accepted_for_any_type() -> None:
    assert codes(HEAD + "    timeout-minutes: ${{ inputs.t }}\n    steps: [{run: a}]\n") == []


def test_expression_keys_are_allowed_where_expressions_are() -> None:
    text = step("run: a\n  env:\n    ${{ matrix.name }}: x")
    assert codes(text) == []


def test_bare_if_conditions_are_checked_as_expressions() -> None:
    assert codes(step("if: github.ref == 'refs/heads/main'\n  run: a")) == []
    assert codes(step("if: secrets.X\n  run: a")) == ["error:expression-context"]
    assert codes(step("if: github.ref ==\n  run: a")) == ["error:expression-syntax"]


def test_if_mixing_text_and_expressions_is_always_true() -> None:
    assert codes(step("if: x ${{ true }}\n  run: a")) == ["warning:if-always-true"]
    assert codes(step("if: ${{ true }}\n  run: a")) == []


def test_job_level_status_functions_may_name_jobs() -> None:
    text = HEAD + "    steps: [{run: a}]\n  after:\n    needs: build\n    if: failure('build')\n"
    text += "    runs-on: x\n    steps: [{run: b}]\n"
    assert codes(text) == []
    assert codes(step("if: failure('build')\n  run: a")) == ["error:expression-function"]


def test_status_functions_only_in_conditions() -> None:
    assert codes(step("run: echo ${{ always() }}")) == ["error:expression-function"]
    assert codes(step("if: always()\n  run: a")) == []


def test_hashfiles_only_in_steps() -> None:
    assert codes(step("run: ${{ hashFiles('x') }}")) == []
    assert codes(HEAD + "    env: {K: \"${{ hashFiles('x') }}\"}\n    steps: [{run: a}]\n") == [
        "error:expression-function"
    ]


def test_unknown_function_and_wrong_arity() -> None:
    diagnostics = load(step("run: ${{ nope(1) }} ${{ contains('a') }}")).diagnostics
    assert [d.code for d in diagnostics] == ["expression-function", "expression-function"]
    assert "nope" in diagnostics[0].message


def test_literal_string_expression_is_allowed_without_context() -> None:
    assert codes("name: ${{ '{{ not }}' }}\n" + HEAD + "    steps: [{run: a}]\n") == []


def test_insert_directive_must_be_the_whole_key() -> None:
    text = HEAD + "    strategy:\n      matrix:\n        a:\n          - x: 1\n"
    good = text + "            ${{ insert }}: {y: 2}\n    steps: [{run: a}]\n"
    bad = text + "            k${{ insert }}: {y: 2}\n    steps: [{run: a}]\n"
    assert codes(good) == []
    assert codes(bad) == ["error:expression-syntax"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    environment: {name: prod, deployment: false}\n", []),
        ("    environment: {name: prod, deployment: true}\n", ["warning:unsupported-key"]),
        ("    concurrency: {group: g, queue: single}\n", []),
        ("    concurrency: {group: g, queue: max}\n", ["warning:unsupported-key"]),
    ],
)
def test_tolerated_keys_warn_only_when_they_would_matter(extra: str, expected: list[str]) -> None:
    assert codes(HEAD + extra + "    steps: [{run: a}]\n") == expected


def test_workflow_call_input_without_type_is_a_warning() -> None:
    text = "on:\n  workflow_call:\n    inputs:\n      x: {required: true}\n" + HEAD[9:]
    text += "    steps: [{run: a}]\n"
    result = load(text)
    assert [f"{d.severity}:{d.code}" for d in result.diagnostics] == ["warning:missing-key"]
    assert result.workflow is not None
    trigger = result.workflow.on.get("workflow_call")
    assert trigger is not None
    assert trigger.inputs[0].type == "string"


@pytest.mark.parametrize(
    "uses",
    [
        "actions/checkout@v4",
        "actions/aws/ec2@main",
        "./",
        "./.github/actions/x",
        "$/.github/actions/x",
        "docker://alpine:3",
        "octo/repo@0123456789abcdef0123456789abcdef01234567",
    ],
)
def test_valid_action_references(uses: str) -> None:
    assert codes(step(f"uses: '{uses}'")) == []


@pytest.mark.parametrize("uses", ["actions/checkout", "checkout@v4", "a/b@", "@v1", "a b/c"])
def test_invalid_action_references(uses: str) -> None:
    assert codes(step(f"uses: '{uses}'")) == ["error:uses-format"]


@pytest.mark.parametrize("uses", ["a b/c@v1", "org/repo name@v2", "a/b@v 1"])
def test_action_references_with_white_space_are_a_warning(uses: str) -> None:
    # GitHub splits `uses` on '@' and '/' only: the file loads, the action is not found later.
    assert codes(step(f"uses: '{uses}'")) == ["warning:uses-format"]


@pytest.mark.parametrize("shell", ["bash", "sh", "pwsh", "powershell", "cmd", "python", "perl {0}"])
def test_known_shells(shell: str) -> None:
    assert codes(step(f"run: a\n  shell: '{shell}'")) == []


def test_unknown_shell_in_defaults() -> None:
    text = "defaults: {run: {shell: zsh}}\n" + HEAD + "    steps: [{run: a}]\n"
    assert codes(text) == ["error:shell"]


def test_needs_string_and_list_forms() -> None:
    text = HEAD + "    steps: [{run: a}]\n  b:\n    needs: build\n    runs-on: x\n"
    text += "    steps: [{run: b}]\n  c:\n    needs: [build, b]\n    runs-on: x\n"
    text += "    steps: [{run: c}]\n"
    result = load(text)
    assert result.workflow is not None
    assert result.workflow.jobs["c"].needs == ("build", "b")


def test_filter_conflict_in_workflow_run() -> None:
    text = (
        "on:\n  workflow_run:\n    workflows: [CI]\n    branches: [a]\n    branches-ignore: [b]\n"
    )
    text += HEAD[9:] + "    steps: [{run: a}]\n"
    assert codes(text) == ["error:filter-conflict"]


def test_warnings_do_not_prevent_the_model() -> None:
    result = load(HEAD + "    snapshot: x\n    steps: [{run: a}]\n")
    assert result.workflow is not None
    assert [d.severity for d in result.diagnostics] == [Severity.WARNING]


def test_a_dispatch_input_without_a_body_is_an_optional_string_input() -> None:
    jobs = HEAD.removeprefix("on: push\n") + "    steps:\n      - run: echo hi\n"
    text = "on:\n  workflow_dispatch:\n    inputs:\n      name:\n" + jobs
    result = load(text)
    assert result.diagnostics == ()
    assert result.workflow is not None
    (trigger,) = result.workflow.on.events
    assert [(i.name, i.type, i.required) for i in trigger.inputs] == [("name", "string", False)]
