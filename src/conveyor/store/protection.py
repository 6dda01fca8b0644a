"""Environment protection rules that need no database: which refs may deploy, validation."""

from __future__ import annotations

import re
from functools import cache

from conveyor.engine.ports.store import ProtectionRules
from conveyor.errors import ReviewRefused, UsageError

MAX_REVIEWERS = 6
MAX_WAIT_MINUTES = 43_200
NAME = re.compile(r"^[^\x00-\x1f/\\]{1,255}$")


def check_environment_name(name: str) -> str:
    if not NAME.match(name) or name != name.strip():
        raise UsageError(f"invalid environment name {name!r}: 1-255 characters, no slashes")
    return name


def check_rules(rules: ProtectionRules) -> ProtectionRules:
    if len(rules.required_reviewers) > MAX_REVIEWERS:
        raise UsageError(f"an environment takes at most {MAX_REVIEWERS} required reviewers")
    if not 0 <= rules.wait_timer_minutes <= MAX_WAIT_MINUTES:
        raise UsageError(f"the wait timer must be 0 to {MAX_WAIT_MINUTES} minutes")
    return rules


def check_reviewer(rules: ProtectionRules, reviewer: str, actor: str | None, env: str) -> None:
    """Any one required reviewer may decide; with prevent-self-review, not who triggered it."""
    reviewers = {name.lower() for name in rules.required_reviewers}
    if reviewers and reviewer.lower() not in reviewers:
        listed = ", ".join(rules.required_reviewers)
        raise ReviewRefused(f"{reviewer} is not a required reviewer of {env!r} ({listed})")
    if rules.prevent_self_review and actor and reviewer.lower() == actor.lower():
        raise ReviewRefused(f"{reviewer} triggered the run and {env!r} prevents self-review")


def ref_may_deploy(rules: ProtectionRules, ref: str | None) -> tuple[bool, str]:
    """GitHub's deployment branch and tag policy: (allowed, why not)."""
    branches, tags = rules.deployment_branches, rules.deployment_tags
    if branches is None and tags is None:
        return True, ""
    if ref is None:
        return False, "the run has no ref, and the environment only allows some branches or tags"
    if ref.startswith("refs/tags/"):
        name, patterns, kind = ref.removeprefix("refs/tags/"), tags or (), "tag"
    else:
        name, patterns, kind = ref.removeprefix("refs/heads/"), branches or (), "branch"
    if any(pattern_matches(pattern, name) for pattern in patterns):
        return True, ""
    allowed = ", ".join(patterns) or "none"
    return False, f"{kind} {name!r} may not deploy to this environment (allowed: {allowed})"


def pattern_matches(pattern: str, name: str) -> bool:
    return _compile(pattern).fullmatch(name) is not None


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    """File.fnmatch style: `*` and `?` stay within one path segment, `**` crosses them."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        char = pattern[index]
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
        index += 1
    return re.compile("".join(out))
