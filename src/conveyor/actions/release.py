"""conveyor/release: on a tag `vX.Y.Z[-pre]`, a release with notes from the pull requests merged
since the previous version tag (the workspace's git history; titles, authors and labels from the
forge's pulls API when there is one), grouped per `.github/release.yml`; a prerelease when the
tag holds `-`; created or updated (idempotent) with assets from globs; optionally a section in
CHANGELOG.md (Keep a Changelog). Inputs and outputs: docs/actions.md (conveyor/release)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conveyor.actions.forge_rest import ForgeRefused, ForgeRest, ForgeTarget
from conveyor.actions.native_support import finding, flag
from conveyor.actions.release_assets import upload_assets
from conveyor.actions.release_git import commits_between, tags_of, workspace_git
from conveyor.actions.release_notes import (
    Change,
    Notes,
    NotesConfig,
    changelog_section,
    changes_from_commits,
    grouped,
    is_prerelease,
    notes_config,
    notes_markdown,
    previous_tag,
    version_key,
    with_section,
)
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import ForgeError, UsageError

CHANGELOG_HEAD = "# Changelog\n\nAll notable changes to this project are documented here.\n"


def tag_of(invocation: ActionInvocation) -> str | None:
    """The `tag` input, else the tag github.ref names; None when the run is not for a tag."""
    explicit = invocation.input("tag")
    if explicit:
        if version_key(explicit) is None:
            raise UsageError(f"input `tag`: {explicit!r} is not a version tag vX.Y.Z[-pre]")
        return explicit
    ref = str(invocation.github.get("ref") or invocation.env.get("GITHUB_REF") or "")
    tag = ref.removeprefix("refs/tags/") if ref.startswith("refs/tags/") else None
    return tag if tag is not None and version_key(tag) is not None else None


class Release:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        try:
            tag = tag_of(invocation)
            if tag is None:
                note = "conveyor/release: the run is not for a vX.Y.Z tag: skipped"
                console.log(note)
                return ActionOutcome(annotations=(finding("notice", note),))
            rest = ForgeRest(ForgeTarget.of(invocation), console)
            try:
                return _release(invocation, console, rest, tag)
            finally:
                rest.close()
        except (UsageError, ForgeError) as error:
            return failed(f"conveyor/release: {error}")


def _online(rest: ForgeRest) -> bool:
    """Reads need a forge: a token and an API URL (a dry run with a token still reads)."""
    return bool(rest.target.token and rest.target.api_url)


def _release(
    invocation: ActionInvocation, console: ActionConsole, rest: ForgeRest, tag: str
) -> ActionOutcome:
    git = workspace_git(invocation.workspace)
    previous = invocation.input("previous-tag") or previous_tag(tag, tags_of(git))
    changes = changes_from_commits(commits_between(git, previous, tag))
    refused: list[str] = []
    if _online(rest):
        changes = [_from_forge(rest, change, refused) for change in changes]
    notes = Notes(
        tag, previous, grouped(changes, _config(invocation)), _compare(invocation, previous, tag)
    )
    body = notes_markdown(notes)
    prerelease = _prerelease(invocation, tag)
    _write_changelog(invocation, console, notes)
    release = _publish(invocation, rest, tag, body, prerelease)
    uploaded, warnings = upload_assets(invocation, console, rest, release)
    warnings = refused[:1] + warnings
    return ActionOutcome(
        outputs=_outputs(release, tag, previous, prerelease, body),
        summary=_summary(tag, previous, prerelease, body, uploaded),
        annotations=tuple(finding("warning", warning) for warning in warnings),
    )


def _from_forge(rest: ForgeRest, change: Change, refused: list[str]) -> Change:
    """`change` with its pull request's title, author, labels and link; as it is when the
    number is no pull request here, or when the token may not read them (then `refused` gets
    why: the job's `permissions:` lack `pull-requests: read`)."""
    try:
        pull = rest.get(rest.repo_path(f"/pulls/{change.number}"))
    except ForgeRefused as error:
        if error.status in (401, 403):
            refused.append(f"{error}: the notes use the commit messages (no authors, labels or "
                           "links); give the job `pull-requests: read`")  # fmt: skip
        return change
    except ForgeError:
        return change  # the forge did not answer
    labels = frozenset(str(label["name"]) for label in pull.get("labels") or ())
    login = str((pull.get("user") or {}).get("login") or "")
    return Change(
        change.number,
        str(pull.get("title") or change.title),
        login,
        labels,
        str(pull.get("html_url") or ""),
    )


def _config(invocation: ActionInvocation) -> NotesConfig:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    named = invocation.input("config-file")
    candidates = [named] if named else [".github/release.yml", ".github/release.yaml"]
    for name in candidates:
        path = Path(invocation.workspace, name)
        if path.is_file():
            try:
                return notes_config(YAML(typ="safe").load(path.read_text()), name)
            except YAMLError as error:
                raise UsageError(f"{name}: not valid YAML ({error})".replace("\n", " ")) from None
        if named:
            raise UsageError(f"input `config-file`: {named} does not exist in the workspace")
    return NotesConfig()


def _compare(invocation: ActionInvocation, previous: str | None, tag: str) -> str:
    server = str(invocation.github.get("server_url") or "https://github.com").rstrip("/")
    repository = str(invocation.github.get("repository") or "")
    return f"{server}/{repository}/compare/{previous}...{tag}" if previous and repository else ""


def _prerelease(invocation: ActionInvocation, tag: str) -> bool:
    if invocation.input("prerelease", "auto").strip().lower() == "auto":
        return is_prerelease(tag)
    return flag(invocation, "prerelease", False)


def _write_changelog(invocation: ActionInvocation, console: ActionConsole, notes: Notes) -> None:
    name = invocation.input("changelog-file")
    if not name:
        return
    path = Path(invocation.workspace, name)
    current = path.read_text() if path.is_file() else CHANGELOG_HEAD
    section = changelog_section(notes, datetime.now(UTC).date().isoformat())
    path.write_text(with_section(current, section, notes.tag))
    console.log(f"{name}: section for {notes.tag} written")


def _publish(
    invocation: ActionInvocation, rest: ForgeRest, tag: str, body: str, prerelease: bool
) -> Any:
    """The release, created or updated; None in a dry run."""
    draft = flag(invocation, "draft", False)
    name = invocation.input("name", tag)
    fields = {"tag_name": tag, "name": name, "body": body, "draft": draft, "prerelease": prerelease}
    existing = None
    if _online(rest):
        releases = rest.paginate(rest.repo_path("/releases"))
        existing = next((r for r in releases if r.get("tag_name") == tag), None)
    if existing is not None:
        return rest.request("PATCH", rest.repo_path(f"/releases/{existing['id']}"), json=fields)
    return rest.request("POST", rest.repo_path("/releases"), json=fields)


def _outputs(
    release: Any, tag: str, previous: str | None, prerelease: bool, body: str
) -> dict[str, str]:
    release = release or {}
    return {
        "id": str(release.get("id", "")),
        "html_url": str(release.get("html_url", "")),
        "upload_url": str(release.get("upload_url", "")),
        "tag": tag,
        "previous-tag": previous or "",
        "prerelease": json.dumps(prerelease),
        "body": body,
    }


def _summary(tag: str, previous: str | None, prerelease: bool, body: str, assets: list[str]) -> str:
    kind = "prerelease" if prerelease else "release"
    since = f" (since {previous})" if previous else " (the first version tag)"
    files = f"\n\nAssets: {', '.join(assets)}" if assets else ""
    return f"## conveyor/release: {kind} {tag}{since}\n\n{body}{files}\n"
