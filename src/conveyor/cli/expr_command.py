"""`conveyor expr`: evaluate one expression and print its value as JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from conveyor.errors import UsageError, decode_utf8
from conveyor.expr import evaluate, evaluate_condition, evaluate_value, to_json


@click.command("expr")
@click.argument("expression")
@click.option(
    "--context-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSON object of contexts, e.g. {"github": {...}, "env": {...}}.',
)
@click.option("--if", "as_condition", is_flag=True, help="Evaluate as an `if:` condition.")
@click.option(
    "--job-status",
    type=click.Choice(["success", "failure", "cancelled", "skipped"]),
    default="success",
    show_default=True,
    help="With --if: the job status success(), failure() and cancelled() see.",
)
def expr_command(
    expression: str, context_file: Path | None, as_condition: bool, job_status: str
) -> None:
    """Evaluate EXPRESSION with GitHub's semantics and print the value as JSON.

    EXPRESSION is a bare expression (`github.ref == 'refs/heads/main'`) or text with `${{ }}`
    parts. hashFiles() hashes under github.workspace, which defaults to the current directory.
    Exit status: 0 printed, 1 the expression is invalid or failed, 2 bad usage.
    """
    if job_status != "success" and not as_condition:
        raise UsageError("--job-status applies to conditions: add --if")
    contexts = load_contexts(context_file)
    if as_condition:
        value: object = evaluate_condition(expression, contexts, job_status=job_status)
    elif "${{" in expression:
        value = evaluate_value(expression, contexts)
    else:
        value = evaluate(expression, contexts)
    click.echo(to_json(value))


def load_contexts(path: Path | None) -> dict[str, Any]:
    """The contexts from a JSON file (an object), with github.workspace defaulting to the cwd."""
    contexts: dict[str, Any] = {}
    if path is not None:
        contexts = _read_json_object(path)
    github = contexts.get("github")
    if github is None:
        contexts["github"] = github = {}
    if isinstance(github, dict):
        github.setdefault("workspace", os.getcwd())
    return contexts


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        text = decode_utf8(path.read_bytes(), str(path))
    except OSError as exc:
        raise UsageError(f"cannot read the context file {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"the context file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"the context file {path} must hold a JSON object of contexts")
    return data
