"""`conveyor triggers`: which workflows an event fires, and why each other one does not."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from conveyor.cli.event_options import event_options
from conveyor.errors import Diagnostic, Severity, UsageError
from conveyor.git import EventRequest, GitRepository, build_event_noted
from conveyor.model.events import Event
from conveyor.triggers import MatchResult, match_workflow
from conveyor.workflow import discover_workflows, load_workflow

WORKFLOW_SUFFIXES = (".yml", ".yaml")
Decision = tuple[str, str, MatchResult]  # (path shown, display name, result)


@click.command("triggers")
@click.argument("repo", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-e", "--event", "event_name", default="push", show_default=True, help="Event name.")
@event_options
@click.option(
    "--eventpath",
    type=click.Path(path_type=Path),
    help="A webhook payload (JSON) to use as github.event.",
)
@click.option("--input", "inputs", multiple=True, metavar="K=V", help="A dispatch/call input.")
@click.option("--label", "labels", multiple=True, help="A label of the pull request or issue.")
@click.option(
    "-W",
    "--workflows",
    "workflows_path",
    type=click.Path(path_type=Path),
    help="A workflow file or directory (default: REPO/.github/workflows).",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def triggers_command(
    repo: Path,
    event_name: str,
    ref: str | None,
    base: str | None,
    head: str | None,
    eventpath: Path | None,
    inputs: Sequence[str],
    action: str | None,
    labels: Sequence[str],
    workflows_path: Path | None,
    output_format: str,
) -> int:
    """Show which workflows of REPO (default: .) the event fires, and why the others don't."""
    root = GitRepository.open(repo).root
    request = EventRequest(
        name=event_name,
        ref=ref,
        base=base,
        head=head,
        eventpath=eventpath,
        inputs=parse_inputs(inputs),
        action=action,
        labels=tuple(label.strip() for value in labels for label in value.split(",") if label),
    )
    event, note = build_event_noted(root, request)
    if note is not None:
        click.echo(f"conveyor: {note}", err=True)
    decisions = [decide(path, root, event) for path in workflow_paths(root, workflows_path)]
    if output_format == "json":
        rows = [
            {"workflow": shown, "fires": r.fires, "reason": r.reason} for shown, _, r in decisions
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(render_text(event, decisions))
    return 0


def parse_inputs(values: Sequence[str]) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--input expects NAME=VALUE, got '{value}'")
        inputs[name.strip()] = text
    return inputs


def workflow_paths(root: Path, given: Path | None) -> list[Path]:
    if given is None:
        found = discover_workflows(root)
        where = root / ".github" / "workflows"
    elif given.is_dir():
        found = sorted(p for p in given.iterdir() if p.suffix in WORKFLOW_SUFFIXES and p.is_file())
        where = given
    elif given.is_file():
        return [given]
    else:
        raise UsageError(f"no such workflow file or directory: {given}")
    if not found:
        raise UsageError(f"no workflow files (*.yml, *.yaml) in {where}")
    return found


def decide(path: Path, root: Path, event: Event) -> Decision:
    shown = _shown(path, root)
    loaded = load_workflow(path, display_path=shown)
    errors = [d for d in loaded.diagnostics if d.severity is Severity.ERROR]
    if errors or loaded.workflow is None:
        return shown, shown, MatchResult.no(_load_failure(errors))
    workflow = loaded.workflow
    return shown, workflow.display_name, match_workflow(workflow.on, event)


def _load_failure(errors: Sequence[Diagnostic]) -> str:
    if not errors:
        return "the workflow could not be loaded"
    if len(errors) == 1:
        return f"the workflow has 1 error: {errors[0].render()}"
    return f"the workflow has {len(errors)} errors, the first: {errors[0].render()}"


def render_text(event: Event, decisions: Sequence[Decision]) -> str:
    labels = [shown + (f" ({name})" if name != shown else "") for shown, name, _ in decisions]
    width = max((len(label) for label in labels), default=0)
    lines = [describe_event(event)]
    for label, (_, _, result) in zip(labels, decisions, strict=True):
        verdict = "fires" if result.fires else "no   "
        lines.append(f"  {verdict}  {label.ljust(width)}  {result.reason}")
    firing = sum(1 for _, _, result in decisions if result.fires)
    lines.append(f"workflows that fire: {firing} of {len(decisions)}")
    return "\n".join(lines)


def describe_event(event: Event) -> str:
    parts = [event.name + (f" ({event.action})" if event.action else "")]
    if event.ref:
        parts.append(f"on {event.ref}")
    if event.sha:
        parts.append(f"at {event.sha[:12]}")
    if event.base_ref:
        parts.append(f"base {event.base_ref}")
    if event.changed_files is not None:
        count = len(event.changed_files)
        parts.append(f"{count} changed file" + ("" if count == 1 else "s"))
    return "event: " + ", ".join([" ".join(parts[:3]), *parts[3:]])


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
