"""`conveyor expr`: in-process through run_cli, and once as a real command."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.cli.main import run_cli

CONTEXTS = {
    "github": {"event_name": "push", "ref": "refs/heads/main"},
    "matrix": {"versions": ["3.11", 3.12, 1.0]},
}


@pytest.fixture
def context_file(tmp_path: Path) -> Path:
    path = tmp_path / "ctx.json"
    path.write_text(json.dumps(CONTEXTS), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_cli(["expr", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_prints_the_value_as_json(capsys: pytest.CaptureFixture[str], context_file: Path) -> None:
    expression = "github.event_name == 'push' && contains(github.ref, 'main')"
    assert run(capsys, expression, "--context-file", str(context_file)) == (0, "true\n", "")
    code, out, _ = run(capsys, "matrix.versions", "--context-file", str(context_file))
    assert code == 0
    assert out == '[\n  "3.11",\n  3.12,\n  1\n]\n'
    assert json.loads(out) == ["3.11", 3.12, 1]


@pytest.mark.parametrize(
    ("expression", "output"),
    [
        ("'text'", '"text"\n'),
        ("null", "null\n"),
        ("1.0", "1\n"),
        ("fromJSON('{\"a\": []}')", '{\n  "a": []\n}\n'),
        ("v${{ 1 == 1 }}", '"vtrue"\n'),
        ("${{ fromJSON('[1]') }}", "[\n  1\n]\n"),
        ("", "null\n"),  # GitHub: an empty expression is null
        ("toJSON(-0)", '"0"\n'),
        ("+Infinity", "Infinity\n"),
    ],
)
def test_values(capsys: pytest.CaptureFixture[str], expression: str, output: str) -> None:
    assert run(capsys, expression) == (0, output, "")


def test_syntax_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "1 < )")
    assert (code, out) == (1, "")
    assert err == (
        "conveyor: error: Unexpected symbol: ')'. Located at position 5 within expression: 1 < )\n"
    )


def test_evaluation_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fromJSON('{')")
    assert (code, out) == (1, "")
    assert err.startswith("conveyor: error: Error parsing fromJson")


def test_unknown_context_is_an_expression_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "secrets.TOKEN")
    assert code == 1
    assert "Unrecognized named-value: 'secrets'" in err


def test_missing_context_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "1", "--context-file", str(tmp_path / "none.json"))
    assert (code, out) == (2, "")
    assert "cannot read the context file" in err


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_malformed_context_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "1", "--context-file", str(path))
    assert (code, out) == (2, "")
    assert str(path) in err


def test_condition(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "true", "--if")[:2] == (0, "true\n")
    assert run(capsys, "true", "--if", "--job-status", "failure")[:2] == (0, "false\n")
    assert run(capsys, "failure()", "--if", "--job-status", "failure")[:2] == (0, "true\n")
    code, _, err = run(capsys, "failure()", "--job-status", "failure")
    assert code == 2
    assert "--if" in err


def test_hash_files_defaults_to_the_current_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "f.txt").write_bytes(b"data")
    monkeypatch.chdir(tmp_path)
    expected = hashlib.sha256(hashlib.sha256(b"data").digest()).hexdigest()
    assert run(capsys, "hashFiles('*.txt')") == (0, f'"{expected}"\n', "")


@pytest.mark.integration
def test_runs_as_a_real_command(context_file: Path) -> None:
    conveyor = Path(sys.executable).parent / "conveyor"
    ok = subprocess.run(
        [str(conveyor), "expr", "format('{0}@{1}', github.event_name, github.ref)",
         "--context-file", str(context_file)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, '"push@refs/heads/main"\n', "")
    failed = subprocess.run(
        [str(conveyor), "expr", "1 <"], capture_output=True, text=True, timeout=60, check=False
    )
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert "Unexpected end of expression: '<'" in failed.stderr
    assert "Traceback" not in failed.stderr
