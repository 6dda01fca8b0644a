"""`conveyor run` option parsing: K=V pairs, secrets from the environment, dotenv files."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.bootstrap.dotenv import parse_dotenv
from conveyor.cli import run_options
from conveyor.errors import UsageError


def test_pairs_split_on_the_first_separator() -> None:
    assert run_options.pairs(["A=1", "B=x=y", "C="], "--var") == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(UsageError, match="--var expects KEY=VALUE"):
        run_options.pairs(["novalue"], "--var")


def test_secrets_from_files_values_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / ".secrets"
    secret_file.write_text('A=from-file\nB="two\\nlines"\n', encoding="utf-8")
    monkeypatch.setenv("FROM_ENV", "env-value")
    found = run_options.secrets(["A=override", "FROM_ENV"], [secret_file])
    assert found == {"A": "override", "B": "two\nlines", "FROM_ENV": "env-value"}
    monkeypatch.delenv("MISSING", raising=False)
    with pytest.raises(UsageError, match=r"\$MISSING is not set"):
        run_options.secrets(["MISSING"], [])


def test_matrix_values_accumulate_per_key() -> None:
    assert run_options.matrix(["node:8", "node:8.x", "os:ubuntu"]) == {
        "node": ("8", "8.x"),
        "os": ("ubuntu",),
    }
    with pytest.raises(UsageError):
        run_options.matrix(["node=8"])


def test_env_files_then_values(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("HELLO=WORLD\nKEEP=1\n", encoding="utf-8")
    assert run_options.env(["HELLO=there"], [env_file]) == {"HELLO": "there", "KEEP": "1"}


def test_dotenv_format() -> None:
    text = """
    # a comment
    export PLAIN=value # trailing comment
    SINGLE='literal \\n kept'
    DOUBLE="foo\\nbar\\tbaz \\"q\\""
    JSON={"foo": "bar"}
    SPANNING="first
    second"
    EMPTY=
    """
    values = parse_dotenv("\n".join(line.strip() for line in text.splitlines()))
    assert values == {
        "PLAIN": "value",
        "SINGLE": "literal \\n kept",
        "DOUBLE": 'foo\nbar\tbaz "q"',
        "JSON": '{"foo": "bar"}',
        "SPANNING": "first\nsecond",
        "EMPTY": "",
    }
    with pytest.raises(UsageError, match="expected KEY=VALUE"):
        parse_dotenv("not a line")
    with pytest.raises(UsageError, match="unterminated"):
        parse_dotenv('A="never closed')
