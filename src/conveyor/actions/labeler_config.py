"""actions/labeler v5's configuration (`.github/labeler.yml`) and how a label is decided.

```yaml
docs:
- changed-files:
  - any-glob-to-any-file: ['docs/**', '*.md']
feature:
- head-branch: ['^feature', 'feature']
release:
- all:
  - base-branch: 'main'
  - changed-files:
    - all-globs-to-all-files: ['src/**', '!src/**/*.md']
```

As labeler v5 reads it: a label's top-level `changed-files`/`head-branch`/`base-branch` entries
are OR-ed into one `any` block; each `any` and `all` block is its own; the label applies when
every block holds. In `any`, one entry holding suffices; in `all`, each must (and `changed-files`
needs at least one changed file). Globs follow minimatch (`conveyor.actions.minimatch`); branch
patterns are regular expressions searched in the branch name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from conveyor.actions.minimatch import compile_glob

FILE_RULES = (
    "any-glob-to-any-file",
    "any-glob-to-all-files",
    "all-globs-to-any-file",
    "all-globs-to-all-files",
)
_KEYS = ("changed-files", "head-branch", "base-branch")


class LabelerConfigError(ValueError):
    """The configuration is not labeler v5's (the message names the label)."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One entry of an `any`/`all` block."""

    files: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (rule, globs)
    head_branch: tuple[str, ...] = ()
    base_branch: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # any | all
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Change:
    """What a pull request changes, as the rules see it."""

    files: Sequence[str]
    head_branch: str = ""
    base_branch: str = ""
    dot: bool = True
    _cache: dict[str, bool] = field(default_factory=dict, compare=False)


def parse_config(data: object) -> dict[str, tuple[Block, ...]]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise LabelerConfigError("expected a mapping of label names to lists of match objects")
    return {str(label): _blocks(str(label), value) for label, value in data.items()}


def _blocks(label: str, value: object) -> tuple[Block, ...]:
    if not isinstance(value, list):
        raise LabelerConfigError(f"'{label}': expected a list of match objects (labeler v5)")
    blocks: list[Block] = []
    top: list[Condition] = []
    for entry in value:
        if not isinstance(entry, Mapping):
            raise LabelerConfigError(f"'{label}': expected a match object, got {entry!r}")
        for key, item in entry.items():
            if key in ("any", "all"):
                blocks.append(Block(key, _conditions(label, key, item)))
            elif key in _KEYS:
                top.append(_condition(label, {key: item}))
            else:
                raise LabelerConfigError(f"'{label}': unknown key '{key}'")
    return (Block("any", tuple(top)), *blocks) if top else tuple(blocks)


def _conditions(label: str, key: str, value: object) -> tuple[Condition, ...]:
    if not isinstance(value, list):
        raise LabelerConfigError(f"'{label}': '{key}' must be a list")
    return tuple(_condition(label, item) for item in value)


def _condition(label: str, entry: object) -> Condition:
    if not isinstance(entry, Mapping):
        raise LabelerConfigError(f"'{label}': expected a match object, got {entry!r}")
    unknown = set(entry) - set(_KEYS)
    if unknown:
        raise LabelerConfigError(f"'{label}': unknown key '{sorted(unknown)[0]}'")
    condition = Condition(
        files=_file_rules(label, entry.get("changed-files")),
        head_branch=_strings(label, entry.get("head-branch")),
        base_branch=_strings(label, entry.get("base-branch")),
    )
    for pattern in (*condition.head_branch, *condition.base_branch):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise LabelerConfigError(f"'{label}': bad branch pattern {pattern!r}: {exc}") from None
    return condition


def _file_rules(label: str, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    rules: list[tuple[str, tuple[str, ...]]] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise LabelerConfigError(
                f"'{label}': changed-files entries are {', '.join(FILE_RULES)}"
            )
        for rule, globs in item.items():
            if rule not in FILE_RULES:
                raise LabelerConfigError(f"'{label}': unknown changed-files rule '{rule}'")
            rules.append((str(rule), _strings(label, globs)))
    return tuple(rules)


def _strings(label: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str | int | float) for item in items):
        raise LabelerConfigError(f"'{label}': expected a string or a list of strings")
    return tuple(str(item) for item in items)


def label_applies(blocks: Sequence[Block], change: Change) -> bool:
    """labeler's checkMatchConfigs: every block holds (a label with no block never applies)."""
    return bool(blocks) and all(_block_holds(block, change) for block in blocks)


def _block_holds(block: Block, change: Change) -> bool:
    if block.kind == "any":
        return any(_any_holds(condition, change) for condition in block.conditions)
    return all(_all_holds(condition, change) for condition in block.conditions)


def _any_holds(condition: Condition, change: Change) -> bool:
    if condition.base_branch and _branch(condition.base_branch, change.base_branch):
        return True
    if condition.head_branch and _branch(condition.head_branch, change.head_branch):
        return True
    return any(_files_rule(rule, globs, change) for rule, globs in condition.files)


def _all_holds(condition: Condition, change: Change) -> bool:
    if condition.base_branch and not _branch(condition.base_branch, change.base_branch):
        return False
    if condition.head_branch and not _branch(condition.head_branch, change.head_branch):
        return False
    if condition.files and not change.files:
        return False
    return all(_files_rule(rule, globs, change) for rule, globs in condition.files)


def _branch(patterns: Sequence[str], branch: str) -> bool:
    return bool(branch) and any(re.search(pattern, branch) for pattern in patterns)


def _files_rule(rule: str, globs: Sequence[str], change: Change) -> bool:
    key = f"{rule}\0" + "\0".join(globs)
    if key not in change._cache:
        change._cache[key] = _evaluate(rule, globs, change)
    return change._cache[key]


def _evaluate(rule: str, globs: Sequence[str], change: Change) -> bool:
    compiled = [compile_glob(text, change.dot) for text in globs]
    files = change.files
    if rule == "any-glob-to-any-file":
        return any(glob.match(path) for glob in compiled for path in files)
    if rule == "any-glob-to-all-files":
        return any(all(glob.match(path) for path in files) for glob in compiled)
    if rule == "all-globs-to-any-file":
        return any(all(glob.match(path) for glob in compiled) for path in files)
    return all(all(glob.match(path) for glob in compiled) for path in files)
