"""`conveyor actions pull`: fetch remote actions into the cache ahead of an offline run.

`remote_uses` finds every remote `uses:` of workflows (steps and reusable-workflow calls);
`pull` fetches a list of them and, with `follow`, what they use in turn (the steps of pulled
composite actions, the jobs of pulled reusable workflows). Actions conveyor runs natively are
not fetched (they are never used from the cache).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from conveyor.engine.ports.actions import ActionRef, ActionRegistry, parse_action_ref
from conveyor.errors import ConveyorError, UsageError
from conveyor.git.remote_actions import RemoteActionResolver
from conveyor.model.workflow import Step, Workflow


@dataclass(frozen=True, slots=True)
class Pulled:
    """One line of `pull`: what was asked, and what became of it."""

    uses: str
    commit: str = ""
    state: str = ""  # fetched | cached | native | failed
    error: str = ""


def parse_pull(text: str) -> ActionRef:
    """`owner/repo[/path]@ref` or a UsageError saying what was expected."""
    ref = parse_action_ref(text)
    if ref is None or text.startswith(("./", "docker://")):
        raise UsageError(f"expected owner/repo[/path]@ref, got {text!r}")
    return ref


def is_remote(uses: str | None) -> bool:
    if not uses or "${{" in uses or uses.startswith(("./", "docker://")):
        return False
    return parse_action_ref(uses) is not None


def remote_uses(workflows: Iterable[Workflow]) -> list[str]:
    """Every remote `uses:` of `workflows` (job calls and steps), sorted, once each."""
    found: set[str] = set()
    for workflow in workflows:
        for job in workflow.jobs.values():
            candidates = [job.uses, *(step.uses for step in job.steps)]
            found.update(uses.strip() for uses in candidates if uses and is_remote(uses))
    return sorted(found)


def pull(
    resolver: RemoteActionResolver,
    natives: ActionRegistry,
    wanted: Iterable[str],
    *,
    follow: bool = False,
) -> Iterator[Pulled]:
    """Fetch each of `wanted` (and, with `follow`, what they use), one result each."""
    queue = list(dict.fromkeys(wanted))
    seen = set(queue)
    while queue:
        uses = queue.pop(0)
        result, tree = _pull_one(resolver, natives, uses)
        yield result
        if follow and tree is not None:
            for more in _used_by(tree, parse_pull(uses)):
                if more not in seen:
                    seen.add(more)
                    queue.append(more)


def _pull_one(
    resolver: RemoteActionResolver, natives: ActionRegistry, uses: str
) -> tuple[Pulled, Path | None]:
    ref = parse_pull(uses)
    if natives.lookup(ref) is not None:
        return Pulled(uses, state="native"), None
    try:
        done = resolver.pull(ref.owner, ref.repo, ref.ref)
    except (ConveyorError, OSError) as exc:
        return Pulled(uses, state="failed", error=resolver.remote.mask(str(exc))), None
    tree = resolver.cache.complete(ref.owner, ref.repo, done.commit)
    return Pulled(uses, done.commit, "fetched" if done.fetched else "cached"), tree


def _used_by(tree: Path, ref: ActionRef) -> list[str]:
    """The remote `uses:` of a pulled reusable workflow or composite action."""
    target = tree / ref.path if ref.path else tree
    if target.suffix in (".yml", ".yaml") and target.is_file():
        return remote_uses(_workflow(target))
    found = (step.uses for step in _composite_steps(target))
    return [uses for uses in found if uses is not None and is_remote(uses)]


def _workflow(path: Path) -> list[Workflow]:
    from conveyor.workflow import load_workflow

    loaded = load_workflow(path, display_path=str(path)).workflow
    return [loaded] if loaded is not None else []


def _composite_steps(directory: Path) -> tuple[Step, ...]:
    from conveyor.executors.local.action_metadata import ActionLoadError, load_action

    try:
        definition = load_action(directory)
    except (ActionLoadError, OSError):
        return ()
    return definition.steps if definition.is_composite else ()


__all__ = ["Pulled", "is_remote", "parse_pull", "pull", "remote_uses"]
