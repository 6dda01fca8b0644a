"""LocalExecutor: environment files (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY)
and workflow commands (annotations, groups, debug, stop-commands, deprecated forms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.model.results import AnnotationLevel, Conclusion
from tests.unit.executors.harness import document, make_repo, outcomes, run_job, steps

pytestmark = pytest.mark.integration


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo")


def test_github_env_simple_heredoc_and_equals(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {
                "run": "\n".join(
                    [
                        'echo "ONE=value=with=equals" >> "$GITHUB_ENV"',
                        "{ echo 'MULTI<<EOF'; echo 'line 1'; echo 'line 2'; echo 'EOF'; }"
                        ' >> "$GITHUB_ENV"',
                        "echo -n 'LAST=no-newline' >> \"$GITHUB_ENV\"",
                    ]
                )
            },
            {"run": 'echo "$ONE|$MULTI|$LAST"', "condition": "env.MULTI == 'line 1\nline 2'"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(1) == ["value=with=equals|line 1", "line 2|no-newline"]


def test_heredoc_with_an_equals_sign_inside(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": "printf 'test<<World\\nx=Thats really Weird\\nWorld\\n' > $GITHUB_ENV"},
            {"run": "exit 1", "condition": "env.test != 'x=Thats really Weird'"},
            {"run": "exit 1", "condition": "env.x == 'Thats really Weird'"},
        ),
    )
    result, _ = run_job(doc, conveyor_home)
    assert outcomes(result) == ["success", "skipped", "skipped"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("NO_SEPARATOR", "Invalid format"),
        ("X<<EOF\\nnever closed", "matching delimiter 'EOF' not found"),
        ("=empty-name", "empty name"),
        ("NODE_OPTIONS=--inspect", "NODE_OPTIONS"),
    ],
)
def test_malformed_env_file_fails_the_step(
    repo: Path, conveyor_home: Path, content: str, message: str
) -> None:
    doc = document(repo, steps({"run": f"printf '{content}\\n' >> $GITHUB_ENV"}))
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.FAILURE
    assert message in reporter.text(0)


def test_github_path_most_recent_first(repo: Path, conveyor_home: Path, tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    (tools / "a").mkdir(parents=True)
    (tools / "b").mkdir()
    (tools / "b" / "hello-tool").write_text("#!/bin/sh\necho from-b\n")
    (tools / "b" / "hello-tool").chmod(0o755)
    doc = document(
        repo,
        steps(
            {"run": f'echo "{tools}/a" >> "$GITHUB_PATH"'},
            {"run": f'echo "{tools}/b" >> "$GITHUB_PATH"'},
            {"run": 'echo "$PATH" | tr ":" "\\n" | head -2; hello-tool'},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(2) == [f"{tools}/b", f"{tools}/a", "from-b"]


def test_step_summaries_are_collected(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": 'echo "# Title" >> "$GITHUB_STEP_SUMMARY"'},
            {"run": 'printf "| a |\\n" >> "$GITHUB_STEP_SUMMARY"'},
            {"run": "true"},
        ),
    )
    result, _ = run_job(doc, conveyor_home)
    assert result.summary == "# Title\n| a |\n"


def test_annotations_groups_and_debug(repo: Path, conveyor_home: Path) -> None:
    script = "\n".join(
        [
            'echo "::group::Setup things"',
            'echo "inside"',
            'echo "::endgroup::"',
            'echo "::debug::a debug line"',
            'echo "::warning file=app.js,line=10,col=3,endLine=12,title=Careful::watch out"',
            'echo "::error file=$GITHUB_WORKSPACE/src/x.py,line=2::broken%0Aline two"',
            'echo "::notice::just so you know"',
            'echo "::unknown-command::stays as text"',
        ]
    )
    result, reporter = run_job(document(repo, steps({"run": script})), conveyor_home)
    assert result.result is Conclusion.SUCCESS  # ::error alone does not fail a step
    assert reporter.output(0) == [
        "##[group]Setup things",
        "inside",
        "##[endgroup]",
        "##[debug]a debug line",
        "##[warning]watch out",
        "##[error]broken",
        "line two",
        "##[notice]just so you know",
        "::unknown-command::stays as text",
    ]
    warning, error, notice = reporter.annotations
    assert (warning.level, warning.file, warning.line, warning.end_line, warning.column) == (
        AnnotationLevel.WARNING,
        "app.js",
        10,
        12,
        3,
    )
    assert warning.title == "Careful"
    assert warning.job == "build"
    assert (error.file, error.message) == ("src/x.py", "broken\nline two")
    assert notice.level is AnnotationLevel.NOTICE
    assert result.annotations == (warning, error, notice)


def test_stop_commands_and_unsecure_commands(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {"run": 'echo "::set-env name=foo::bar"'},
            {"run": 'echo "$foo"', "id": "check"},
            {"run": 'echo "::add-path::/zip"'},
            {"run": 'echo "$PATH" | grep -c /zip'},
            {
                "run": "\n".join(
                    [
                        'echo "::stop-commands::my-token"',
                        'echo "::set-env name=foo::baz"',
                        'echo "::my-token::"',
                        'echo "::set-env name=foo::qux"',
                    ]
                )
            },
            {"run": 'echo "$foo"'},
        ),
        env={"ACTIONS_ALLOW_UNSECURE_COMMANDS": "true"},
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(1) == ["bar"]
    assert reporter.output(3) == ["1"]
    assert reporter.output(4) == ["::set-env name=foo::baz"]
    assert reporter.output(5) == ["qux"]


def test_unsecure_commands_are_refused_by_default(repo: Path, conveyor_home: Path) -> None:
    result, reporter = run_job(
        document(repo, steps({"run": 'echo "::set-env name=foo::bar"'})), conveyor_home
    )
    assert result.result is Conclusion.FAILURE
    assert "`set-env` command is disabled" in reporter.text(0)


def test_save_state_and_github_state_file(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps({"run": 'echo "::save-state name=a::1"\necho "b=2" >> "$GITHUB_STATE"', "id": "s"}),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(0) == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"])
@pytest.mark.parametrize("replacement", ["mkfifo", "mkdir"])
def test_a_fifo_or_directory_in_place_of_a_file_command_fails_only_that_step(
    repo: Path, conveyor_home: Path, variable: str, replacement: str
) -> None:
    """Read without blocking; the error fails the step (continue-on-error honoured), and the
    next step gets a fresh regular file again."""
    doc = document(
        repo,
        steps(
            {
                "run": f'rm -f "${variable}" && {replacement} "${variable}"',
                "continue_on_error": True,
            },
            {"run": f'test -f "${variable}" && echo "x=1" >> "$GITHUB_OUTPUT"', "id": "after"},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert outcomes(result) == ["failure", "success"]
    assert result.result is Conclusion.SUCCESS
    kind = "a named pipe" if replacement == "mkfifo" else "a directory"
    assert f"${variable} is {kind}, not a regular file" in reporter.text(0)
