"""LocalExecutor: secrets never reach the reporter, annotations, summaries or outputs unmasked."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from conveyor.cli import main as cli_main
from conveyor.executors.local.lines import DEFAULT_MAX_LINE_BYTES
from conveyor.executors.local.masking import MIN_SECRET_LENGTH
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration

SECRET = "hunter2-Sup3r\"secret'"
MULTILINE = "first-line-secret\nsecond-line-secret\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "demo")


def _everything(result: object, reporter: object) -> str:
    return repr(result) + repr(reporter)


def test_secrets_are_masked_in_every_form(repo: Path, conveyor_home: Path) -> None:
    encoded = base64.b64encode(SECRET.encode()).decode()
    json_form = json.dumps(SECRET)[1:-1]
    doc = document(
        repo,
        steps(
            {"run": 'echo "plain: $S"', "env": {"S": "${{ secrets.TOKEN }}"}},
            {"run": 'echo "json: $J"', "env": {"J": json_form}},
            {
                "run": f"echo 'b64: {encoded}' ; echo \"x$(printf '%s' \"$S\" | base64)\"",
                "env": {"S": "${{ secrets.TOKEN }}"},
            },
            {"run": 'printf "%s" "$M"', "env": {"M": "${{ secrets.MULTI }}"}},
            {"run": 'echo "::warning title=$S::about $S"', "env": {"S": "${{ secrets.TOKEN }}"}},
            {
                "run": 'echo "summary $S" >> $GITHUB_STEP_SUMMARY',
                "env": {"S": "${{ secrets.TOKEN }}"},
                "name": "Use ${{ secrets.TOKEN }}",
            },
        ),
        contexts={"secrets": {"TOKEN": SECRET, "MULTI": MULTILINE}},
        masks=(SECRET, MULTILINE),
        outputs={"leak": "${{ secrets.TOKEN }}", "fine": "ok"},
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    everything = _everything(result, reporter)
    for form in (SECRET, json_form, encoded, "first-line-secret", "second-line-secret"):
        assert form not in everything
    assert reporter.output(0) == ["plain: ***"]
    assert reporter.output(3) == ["***", "***"]
    assert reporter.annotations[0].message == "about ***"
    assert reporter.annotations[0].title == "***"
    assert result.summary == "summary ***\n"
    assert result.steps[5].name == "Use ***"
    assert result.outputs == {"fine": "ok"}
    assert "Skip output 'leak'" in reporter.text(None)


def test_every_field_of_a_command_is_masked(repo: Path, conveyor_home: Path) -> None:
    env = {"S": "${{ secrets.TOKEN }}"}
    doc = document(
        repo,
        steps(
            {"run": 'echo "::notice file=$S.txt,line=1,title=T $S,col=2::x $S"', "env": env},
            {"run": 'echo "##[error file=src/$S.py;title=$S;]legacy $S"', "env": env},
            {"run": 'echo "::group::$S"; echo "::debug::$S"; echo "::endgroup::"', "env": env},
            {"run": 'echo "::stop-commands::$S"; echo "::warning::$S"; echo "::$S::"', "env": env},
            {"run": 'echo "::echo::on"; echo "::set-output name=$S::$S"', "env": env},
        ),
        contexts={"secrets": {"TOKEN": SECRET}},
        masks=(SECRET,),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    notice, error = reporter.annotations[0], reporter.annotations[1]
    assert (notice.file, notice.title, notice.message, notice.line) == (
        "***.txt",
        "T ***",
        "x ***",
        1,
    )
    assert (error.file, error.title, error.message) == ("src/***.py", "***", "legacy ***")
    assert reporter.output(2) == ["##[group]***", "##[debug]***", "##[endgroup]"]
    assert reporter.output(3) == ["::warning::***"]
    assert reporter.output(4) == ["::set-output name=***::***"]
    assert SECRET not in repr(reporter.annotations) + reporter.text(every=True)
    assert SECRET not in repr(result.annotations)


def test_commands_on_long_lines_are_applied_whole(repo: Path, conveyor_home: Path) -> None:
    env = {"S": "${{ secrets.TOKEN }}"}
    doc = document(
        repo,
        steps(
            {
                "run": "python3 -c \"import os; print(os.environ['P'] + os.environ['S'])\"",
                "env": {**env, "P": "::warning::" + "x" * 65530},
            },
            {"run": "python3 -c \"print('::debug::' + 'x' * 1_100_000)\"; echo after"},
        ),
        contexts={"secrets": {"TOKEN": SECRET}},
        masks=(SECRET,),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.annotations[0].message == "x" * 65530 + "***"
    assert reporter.output(0) == ["##[warning]" + "x" * 65530 + "***"]
    assert reporter.output(1) == [
        "##[warning]A workflow command line longer than 1024 KiB was ignored: debug",
        "after",
    ]


def test_values_too_short_to_mask_are_ignored_with_a_warning(
    repo: Path, conveyor_home: Path
) -> None:
    doc = document(
        repo,
        steps(
            {"run": 'echo "version 1.7.0 pin=$P"', "env": {"P": "${{ secrets.PIN }}"}},
            {"run": 'echo "::add-mask::x"; echo "::add-mask::ab"; echo "box ab x"'},
        ),
        contexts={"secrets": {"PIN": "7", "TOKEN": SECRET}},
        masks=("7", SECRET),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(0) == ["version 1.7.0 pin=7"]
    assert reporter.text(None).count("##[warning]") == 1
    assert f"Secret 'PIN' is shorter than {MIN_SECRET_LENGTH} characters" in reporter.text(None)
    short = f"Can't add secret mask for a value shorter than {MIN_SECRET_LENGTH} characters"
    assert reporter.output(1) == [
        f"##[warning]{short} in ##[add-mask] command: it would mask ordinary text."
    ] * 2 + ["box ab x"]


def test_add_mask_hides_later_lines_and_is_not_echoed(repo: Path, conveyor_home: Path) -> None:
    doc = document(
        repo,
        steps(
            {
                "run": 'echo "before dynamic-value"\necho "::add-mask::dynamic-value"\n'
                'echo "after dynamic-value"'
            },
            {"run": 'echo "next step dynamic-value"'},
            {"run": 'echo "::add-mask::$(echo abc | base64)"\necho abc | base64'},
            {"run": 'echo "::add-mask::   "'},
        ),
    )
    result, reporter = run_job(doc, conveyor_home)
    assert result.result is Conclusion.SUCCESS
    assert reporter.output(0) == ["before dynamic-value", "after ***"]
    assert reporter.output(1) == ["next step ***"]
    assert reporter.output(2) == ["***"]
    assert "Can't add secret mask for empty string" in reporter.text(3)


# -- secrets across the 64 KiB pieces of a long line (a real `conveyor run`, its store) --------

BOUNDARY_SECRET = "s3cr3t-V@LUE_q9z"
OFFSETS = range(DEFAULT_MAX_LINE_BYTES - 16, DEFAULT_MAX_LINE_BYTES + 5)  # every cut in the secret
GREEK = "".join(map(chr, range(0x3B1, 0x3CA)))  # a dynamic mask: characters nothing else prints
GREEK_RUN = re.compile(("(?:" + "|".join(GREEK) + "){3,}").encode())  # whole UTF-8 letters
VALUE = "''.join(random.choice(list(map(chr, range(0x3B1, 0x3CA)))) for _ in range(100_000))"

LONG_LINES = """
on: push
jobs:
  long:
    runs-on: ubuntu-latest
    env:
      TOKEN: ${{{{ secrets.TOKEN }}}}
    steps:
      - run: |
          for offset in {offsets}; do
            python3 -c "import os, sys; print('x' * int(sys.argv[1]) + os.environ['TOKEN'])" $offset
          done
      - run: python3 -c "import os; print('x' * 65536 * 2 + os.environ['TOKEN'] + 'y' * 70000)"
      - run: python3 -c "import random; random.seed(7); print('::add-mask::' + {value})"
      - run: |
          python3 -c "import random; random.seed(7); print('x' * 65530 + {value})"
          python3 -c "import random; random.seed(7); print({value} + 'y')"
"""


def _grams(secret: str, size: int) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


def _leaks(text: str) -> list[str]:
    found = sorted(g for g in _grams(BOUNDARY_SECRET, MIN_SECRET_LENGTH) if g in text)
    return found + sorted({ch for ch in GREEK if ch in text})


def _files(home: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}


def _file_leaks(data: bytes) -> list[str]:
    """A text file: any piece of a secret of the minimum length. A binary one (the database, git
    objects) could hold three bytes of it by chance: pieces of 6 bytes there."""
    try:
        return _leaks(data.decode("utf-8"))
    except UnicodeDecodeError:
        pieces = sorted(p for p in _grams(BOUNDARY_SECRET, 6) if p.encode() in data)
        return pieces + GREEK_RUN.findall(data)  # 3 letters: 6 bytes, as the pieces above


def _repo_with(root: Path, workflow: str) -> Path:
    path = root / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    path.write_text(workflow, encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args]
        subprocess.run(command, cwd=root, check=True, capture_output=True)
    return root


def test_secrets_crossing_the_64k_pieces_never_leak(
    tmp_path: Path,
    conveyor_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "run", "conveyor.cli.run_command:run_command")
    monkeypatch.setenv("CONVEYOR_PLAIN", "1")
    workflow = LONG_LINES.format(offsets=" ".join(map(str, OFFSETS)), value=VALUE)
    repo = _repo_with(tmp_path / "repo", textwrap.dedent(workflow))
    code = cli_main.run_cli(["run", str(repo), "--secret", f"TOKEN={BOUNDARY_SECRET}"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert _leaks(out + err) == []
    logs = list(conveyor_home.rglob("steps.log"))  # every step of a job, in one file
    stored = "".join(p.read_text(encoding="utf-8") for p in logs)
    assert stored.count("***") >= len(OFFSETS) + 3  # the lines were stored, masked
    assert "x" * 1000 in stored
    assert _leaks(stored) == []
    leaks = {
        str(p): found for p, data in _files(conveyor_home).items() if (found := _file_leaks(data))
    }
    assert leaks == {}
