"""actions/labeler v5's configuration semantics, rule by rule."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from conveyor.actions.labeler_config import Change, LabelerConfigError, label_applies, parse_config

CONFIG = """
docs:
- changed-files:
  - any-glob-to-any-file: ['docs/**', '*.md']
only-docs:
- changed-files:
  - any-glob-to-all-files: 'docs/**'
typed:
- changed-files:
  - all-globs-to-any-file: ['src/**', '**/*.pyi']
all-src-py:
- changed-files:
  - all-globs-to-all-files: ['src/**', '!**/*.md']
feature:
- head-branch: ['^feature/', 'feat']
to-release:
- base-branch: 'release/.*'
docs-or-feature:
- changed-files:
  - any-glob-to-any-file: 'docs/**'
- head-branch: '^feature/'
docs-on-feature:
- all:
  - changed-files:
    - any-glob-to-any-file: 'docs/**'
  - head-branch: '^feature/'
ci-not-docs:
- any:
  - changed-files:
    - any-glob-to-any-file: '.github/**'
- all:
  - changed-files:
    - all-globs-to-all-files: '!docs/**'
"""


def labels(files: list[str], head: str = "fix/x", base: str = "main") -> set[str]:
    config = parse_config(YAML(typ="safe", pure=True).load(CONFIG))
    change = Change(files, head, base)
    return {label for label, blocks in config.items() if label_applies(blocks, change)}


def test_any_glob_to_any_file() -> None:
    assert labels(["README.md", "src/a.py"]) == {"docs"}


def test_each_rule_and_combination() -> None:
    assert labels(["docs/a.md"]) == {"docs", "only-docs", "docs-or-feature"}
    assert labels(["src/a.py", "src/b.pyi"]) == {"typed", "all-src-py"}
    assert labels(["src/a.py"], head="feature/x") == {"all-src-py", "feature", "docs-or-feature"}
    assert labels(["docs/a.md"], head="feature/x") >= {"docs-on-feature"}
    assert "to-release" in labels(["x"], base="release/1.2")
    assert "ci-not-docs" in labels([".github/workflows/ci.yml"])
    assert "ci-not-docs" not in labels([".github/workflows/ci.yml", "docs/a.md"])


def test_top_level_entries_are_or_ed_blocks_are_and_ed() -> None:
    # docs-or-feature: top-level changed-files and head-branch merge into one `any`
    assert "docs-or-feature" in labels(["docs/x"], head="main")
    assert "docs-or-feature" in labels(["src/x"], head="feature/y")
    assert "docs-or-feature" not in labels(["src/x"], head="main")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("docs: 'docs/**'", "'docs': expected a list"),
        ("docs:\n- changed-files:\n  - any-glob: x", "unknown changed-files rule 'any-glob'"),
        ("docs:\n- paths: x", "unknown key 'paths'"),
        ("docs:\n- head-branch: '('", "bad branch pattern"),
    ],
)
def test_bad_configuration_names_the_label(text: str, message: str) -> None:
    with pytest.raises(LabelerConfigError, match=message):
        parse_config(YAML(typ="safe", pure=True).load(text))
