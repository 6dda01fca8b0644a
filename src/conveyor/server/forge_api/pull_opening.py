"""Opening a pull request: the head and base must be branches of the repository, differ, and
have commits between them; one open pull request per head and base (422 otherwise, as GitHub)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException

from conveyor.server.forge_api.bodies import flag, required_text, text
from conveyor.server.forge_api.errors import github_error_body, validation_failed
from conveyor.server.forge_api.hosted import Hosted
from conveyor.store.forge_records import NewPull, PullRecord

R = "PullRequest"


def _custom(message: str) -> HTTPException:
    error = {"resource": R, "code": "custom", "message": message}
    return HTTPException(422, github_error_body("Validation Failed", [error]))


def new_pull(repo: Hosted, given: Mapping[str, Any], author: str) -> PullRecord:
    head = required_text(given, "head", R).split(":", 1)[-1]  # "owner:branch" or "branch"
    base = required_text(given, "base", R)
    title = required_text(given, "title", R)
    git = repo.git()
    head_sha = git.find_commit(f"refs/heads/{head}")
    base_sha = git.find_commit(f"refs/heads/{base}")
    if head_sha is None:
        raise validation_failed(R, "head", "invalid")
    if base_sha is None:
        raise validation_failed(R, "base", "invalid")
    if head_sha == base_sha or git.is_ancestor(head_sha, base_sha):
        raise _custom(f"No commits between {base} and {head}")
    if repo.data.pulls.listing(repo.name, state="open", offset=0, limit=1, head=head,
                               base=base).total:  # fmt: skip
        raise _custom(f"A pull request already exists for {repo.identity.owner}:{head}.")
    new = NewPull(title, text(given, "body", R), author, head, head_sha, base, base_sha,
                  bool(flag(given, "draft", R)))  # fmt: skip
    return repo.data.pulls.create(repo.name, new)
