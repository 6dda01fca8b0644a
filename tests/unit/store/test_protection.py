from __future__ import annotations

import pytest

from conveyor.engine.ports.store import ProtectionRules
from conveyor.errors import UsageError
from conveyor.store.protection import (
    check_environment_name,
    check_rules,
    pattern_matches,
    ref_may_deploy,
)


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("main", "main", True),
        ("release/*", "release/1.0", True),
        ("release/*", "release/1.0/hotfix", False),
        ("release/*/*", "release/1.0/hotfix", True),
        ("release/**", "release/1.0/hotfix", True),
        ("v?", "v1", True),
        ("v?", "v10", False),
        ("feat.x", "featYx", False),
    ],
)
def test_deployment_patterns_follow_fnmatch(pattern: str, name: str, expected: bool) -> None:
    assert pattern_matches(pattern, name) is expected


def test_without_patterns_every_ref_may_deploy() -> None:
    assert ref_may_deploy(ProtectionRules(), "refs/heads/anything") == (True, "")
    assert ref_may_deploy(ProtectionRules(), None) == (True, "")


def test_branches_and_tags_are_checked_against_their_own_patterns() -> None:
    rules = ProtectionRules(deployment_branches=("main",), deployment_tags=("v*",))
    assert ref_may_deploy(rules, "refs/heads/main")[0]
    assert ref_may_deploy(rules, "refs/tags/v1.2")[0]
    allowed, why = ref_may_deploy(rules, "refs/heads/feature")
    assert not allowed
    assert "branch 'feature'" in why
    assert "main" in why
    assert not ref_may_deploy(rules, "refs/tags/nightly")[0]
    assert not ref_may_deploy(rules, "refs/pull/3/merge")[0]
    assert not ref_may_deploy(rules, None)[0]
    pulls = ProtectionRules(deployment_branches=("refs/pull/*/merge",))
    assert ref_may_deploy(pulls, "refs/pull/3/merge")[0]


def test_rules_and_names_are_validated() -> None:
    with pytest.raises(UsageError, match="at most 6"):
        check_rules(ProtectionRules(required_reviewers=tuple("abcdefg")))
    with pytest.raises(UsageError, match="wait timer"):
        check_rules(ProtectionRules(wait_timer_minutes=50_000))
    for bad in ("", "a/b", " x", "x" * 256):
        with pytest.raises(UsageError):
            check_environment_name(bad)
    assert check_environment_name("Production") == "Production"
