"""conveyor/release's notes as pure functions: SemVer order and the previous tag, pull requests
from merge and squash commits, GitHub's release.yml categories, Keep a Changelog sections."""

from __future__ import annotations

import pytest

from conveyor.actions.release_notes import (
    Change,
    changes_from_commits,
    grouped,
    is_prerelease,
    notes_config,
    previous_tag,
    with_section,
)
from conveyor.errors import UsageError

TAGS = [
    "v1.0.0",
    "v1.2.0-rc.1",
    "v1.2.0-rc.2",
    "v1.10.0",
    "v1.2.0",
    "v1.9.9",
    "nightly",
    "v2.0.0-beta",
]


@pytest.mark.parametrize(
    ("tag", "previous"),
    [("v1.2.0", "v1.2.0-rc.2"), ("v1.2.0-rc.2", "v1.2.0-rc.1"), ("v1.2.0-rc.1", "v1.0.0"),
     ("v1.10.0", "v1.9.9"), ("v2.0.0", "v2.0.0-beta"), ("v1.0.0", None)],
)  # fmt: skip
def test_previous_tag_follows_semver_order(tag: str, previous: str | None) -> None:
    assert previous_tag(tag, TAGS) == previous


def test_prerelease_is_a_dash_before_any_build_metadata() -> None:
    assert is_prerelease("v1.0.0-rc.1")
    assert not is_prerelease("v1.0.0+build-7")


def test_pull_requests_from_merge_and_squash_commits() -> None:
    commits = [("Fix the thing (#12)", ""), ("Merge pull request #7 from o/branch", "Add x\n"),
               ("plain commit", ""), ("Revert again (#12)", "")]  # fmt: skip
    assert changes_from_commits(commits) == [Change(7, "Add x"), Change(12, "Fix the thing")]


def test_categories_first_match_wildcard_and_excludes() -> None:
    config = notes_config({"changelog": {
        "exclude": {"labels": ["ignore"], "authors": ["bot"]},
        "categories": [{"title": "Breaking", "labels": ["major"]},
                       {"title": "Features", "labels": ["feat"], "exclude": {"labels": ["wip"]}},
                       {"title": "Other", "labels": ["*"]}]}}, "release.yml")  # fmt: skip
    changes = [Change(1, "a", "ann", frozenset({"feat", "major"})),
               Change(2, "b", "bot", frozenset({"feat"})),
               Change(3, "c", "ann", frozenset({"feat", "wip"})),
               Change(4, "d", "ann", frozenset({"ignore"})),
               Change(5, "e", "ann", frozenset({"feat"}))]  # fmt: skip
    shown = [(title, [c.number for c in members]) for title, members in grouped(changes, config)]
    assert shown == [("Breaking", [1]), ("Features", [5]), ("Other", [3])]


def test_a_malformed_release_yml_names_the_place() -> None:
    with pytest.raises(
        UsageError, match=r"release.yml: changelog.categories\[0\]: needs a `title`"
    ):
        notes_config({"changelog": {"categories": [{"labels": ["x"]}]}}, "release.yml")


def test_with_section_replaces_the_tags_section_or_goes_after_unreleased() -> None:
    log = "# Changelog\n\n## [Unreleased]\n\n- wip\n\n## [1.0.0] - 2026-01-01\n\n- one\n"
    added = with_section(log, "## [1.1.0] - 2026-02-02\n\n- two\n\n", "v1.1.0")
    assert added == ("# Changelog\n\n## [Unreleased]\n\n- wip\n\n## [1.1.0] - 2026-02-02\n\n"
                     "- two\n\n## [1.0.0] - 2026-01-01\n\n- one\n")  # fmt: skip
    again = with_section(added, "## [1.1.0] - 2026-02-03\n\n- three\n\n", "v1.1.0")
    assert "- two" not in again
    assert again.count("## [1.1.0]") == 1
    assert "- three" in again
