"""conveyor/release's notes: versions and the previous tag, pull requests named by merge commits,
`.github/release.yml` categories (GitHub's format), the notes and a Keep a Changelog section.
Pure functions over plain values; conveyor.actions.release reads git and the forge."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conveyor.errors import UsageError

_VERSION = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_MERGE = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH = re.compile(r"^(?P<title>.*?)\s*\(#(?P<number>\d+)\)$")
WILDCARD = "*"


def version_key(tag: str) -> tuple[Any, ...] | None:
    """A sort key in SemVer order for `vX.Y.Z[-pre]`, None for other tags."""
    match = _VERSION.match(tag)
    if match is None:
        return None
    core = tuple(int(part) for part in match.group(1, 2, 3))
    pre = match.group(4)
    if pre is None:
        return (*core, 1, ())
    fields = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (*core, 0, fields)


def previous_tag(tag: str, tags: Iterable[str]) -> str | None:
    """The highest version tag below `tag`."""
    current = version_key(tag)
    if current is None:
        return None
    lower = [(key, t) for t in tags if (key := version_key(t)) is not None and key < current]
    return max(lower)[1] if lower else None


def is_prerelease(tag: str) -> bool:
    return "-" in tag.split("+", 1)[0]


@dataclass(frozen=True, slots=True)
class Change:
    """One pull request in the notes."""

    number: int
    title: str
    author: str = ""  # the login; empty when offline
    labels: frozenset[str] = frozenset()
    url: str = ""


def changes_from_commits(commits: Sequence[tuple[str, str]]) -> list[Change]:
    """Pull requests named by merge (`Merge pull request #N from …`, title in the body) or
    squash (`Title (#N)`) commits, as (subject, body) pairs; each number once, oldest first."""
    found: dict[int, Change] = {}
    for subject, body in commits:
        change = _change_of(subject, body)
        if change is not None and change.number not in found:
            found[change.number] = change
    return sorted(found.values(), key=lambda change: change.number)


def _change_of(subject: str, body: str) -> Change | None:
    merge = _MERGE.match(subject)
    if merge is not None:
        title = body.strip().splitlines()[0] if body.strip() else subject
        return Change(int(merge.group(1)), title)
    squash = _SQUASH.match(subject)
    if squash is not None:
        return Change(int(squash.group("number")), squash.group("title"))
    return None


@dataclass(frozen=True, slots=True)
class Category:
    title: str
    labels: frozenset[str]
    exclude_labels: frozenset[str] = frozenset()
    exclude_authors: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class NotesConfig:
    """`.github/release.yml`'s `changelog`: no categories means one flat list."""

    categories: tuple[Category, ...] = ()
    exclude_labels: frozenset[str] = frozenset()
    exclude_authors: frozenset[str] = frozenset()


def _names(value: object, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise UsageError(f"{where}: expected a list of names")
    return frozenset(str(v) for v in value)


def _excludes(value: object, where: str) -> tuple[frozenset[str], frozenset[str]]:
    if value is None:
        return frozenset(), frozenset()
    if not isinstance(value, Mapping):
        raise UsageError(f"{where}: expected a mapping with `labels` and/or `authors`")
    labels = _names(value.get("labels"), f"{where}.labels")
    return labels, _names(value.get("authors"), f"{where}.authors")


def notes_config(document: object, source: str) -> NotesConfig:
    """The `changelog` of a parsed release.yml; a UsageError naming `source` when malformed."""
    changelog = document.get("changelog") if isinstance(document, Mapping) else None
    if changelog is None:
        return NotesConfig()
    if not isinstance(changelog, Mapping):
        raise UsageError(f"{source}: `changelog` must be a mapping")
    labels, authors = _excludes(changelog.get("exclude"), f"{source}: changelog.exclude")
    raw = changelog.get("categories")
    raw = [] if raw is None else raw
    if not isinstance(raw, list):
        raise UsageError(f"{source}: changelog.categories must be a list")
    return NotesConfig(
        tuple(_category(c, f"{source}: changelog.categories[{n}]") for n, c in enumerate(raw)),
        labels,
        authors,
    )


def _category(raw: object, where: str) -> Category:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("title"), str):
        raise UsageError(f"{where}: needs a `title`")
    labels, authors = _excludes(raw.get("exclude"), f"{where}.exclude")
    return Category(raw["title"], _names(raw.get("labels"), f"{where}.labels"), labels, authors)


def _excluded(change: Change, labels: frozenset[str], authors: frozenset[str]) -> bool:
    return bool(change.labels & labels) or (bool(change.author) and change.author in authors)


def grouped(changes: Sequence[Change], config: NotesConfig) -> list[tuple[str, list[Change]]]:
    """(title, changes) per category in the configuration's order; each change in the first
    category whose labels it has (`*` takes any). No categories: one untitled group."""
    kept = [c for c in changes if not _excluded(c, config.exclude_labels, config.exclude_authors)]
    if not config.categories:
        return [("", kept)] if kept else []
    groups: dict[str, list[Change]] = {category.title: [] for category in config.categories}
    for change in kept:
        for category in config.categories:
            if _fits(change, category):
                groups[category.title].append(change)
                break
    return [(title, members) for title, members in groups.items() if members]


def _fits(change: Change, category: Category) -> bool:
    if _excluded(change, category.exclude_labels, category.exclude_authors):
        return False
    return WILDCARD in category.labels or bool(change.labels & category.labels)


@dataclass(frozen=True, slots=True)
class Notes:
    tag: str
    previous: str | None
    groups: list[tuple[str, list[Change]]] = field(default_factory=list)
    compare_url: str = ""


def _line(change: Change) -> str:
    author = f" by @{change.author}" if change.author else ""
    where = f" in {change.url}" if change.url else f" in #{change.number}"
    return f"* {change.title}{author}{where}"


def notes_markdown(notes: Notes) -> str:
    """GitHub's generated-notes layout."""
    lines = ["## What's Changed", ""]
    for title, members in notes.groups:
        if title:
            lines += [f"### {title}", ""]
        lines += [_line(change) for change in members] + [""]
    if not notes.groups:
        lines += ["No pull requests merged since the previous release.", ""]
    if notes.previous and notes.compare_url:
        lines.append(f"**Full Changelog**: {notes.compare_url}")
    return "\n".join(lines).rstrip("\n") + "\n"


def changelog_section(notes: Notes, date: str) -> str:
    """The release's section in Keep a Changelog form (`## [1.2.0] - 2026-12-06`)."""
    lines = [f"## [{notes.tag.removeprefix('v')}] - {date}", ""]
    for title, members in notes.groups:
        lines += [f"### {title or 'Changed'}", ""]
        lines += [f"- {change.title} (#{change.number})" for change in members] + [""]
    return "\n".join(lines) + "\n"


def with_section(changelog: str, section: str, tag: str) -> str:
    """`changelog` with `section` in place of the tag's section, or before the newest one
    (after an `## [Unreleased]` section when there is one)."""
    heading = re.compile(r"^## \[", re.MULTILINE)
    starts = [m.start() for m in heading.finditer(changelog)]
    version = tag.removeprefix("v")
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(changelog)
        if changelog.startswith(f"## [{version}]", start):
            return changelog[:start] + section + changelog[end:]
    released = [s for s in starts if not changelog.startswith("## [Unreleased]", s)]
    at = released[0] if released else len(changelog)
    head = changelog[:at].rstrip("\n")
    return (head + "\n\n" if head else "") + section + changelog[at:]
