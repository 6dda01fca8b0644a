"""What every event built from a local repository shares: the repository, its identity, the user."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.errors import UsageError
from conveyor.git.identity import LocalUser, RepositoryIdentity, identify, local_user
from conveyor.git.repository import GitRepository
from conveyor.git.webhook_objects import JsonObject, repository_object, sender_object, utc_timestamp
from conveyor.model.events import BRANCH_PREFIX, TAG_PREFIX


@dataclass(frozen=True, slots=True)
class LocalContext:
    repo: GitRepository
    identity: RepositoryIdentity
    user: LocalUser

    @classmethod
    def open(cls, repo: GitRepository) -> LocalContext:
        return cls(repo, identify(repo), local_user(repo))

    def base_payload(self, date: str, *, for_push: bool = False) -> JsonObject:
        """`repository` and `sender`, dated by the event's commit (ISO 8601)."""
        stamp = utc_timestamp(date) if date else "1970-01-01T00:00:00Z"
        repository = repository_object(
            self.identity, created=stamp, pushed=stamp, for_push=for_push
        )
        return {"repository": repository, "sender": sender_object(self.identity, self.user)}

    def pushed_ref(self, ref: str | None) -> str:
        """The full ref for `--ref` (default: the checked-out branch); UsageError if unknown."""
        if ref is None:
            branch = self.repo.current_branch()
            if branch is None:
                raise UsageError("HEAD is detached; name the branch or tag with --ref")
            return BRANCH_PREFIX + branch
        full = self.repo.full_ref(ref)
        if full is None:
            raise UsageError(f"unknown branch or tag '{ref}' in {self.repo.root}")
        return full

    def resolve(self, ref: str | None) -> tuple[str, str]:
        """(full ref, commit) for `--ref`: a branch or tag (default: the checked-out branch), or
        any revision git knows (then the ref is the default branch's)."""
        if ref is None or self.repo.full_ref(ref) is not None:
            full = self.pushed_ref(ref)
            return full, self.repo.resolve_commit(full)
        return self.default_ref(), self.repo.resolve_commit(ref)

    def default_ref(self) -> str:
        return BRANCH_PREFIX + self.identity.default_branch

    def default_tip(self) -> str:
        """The default branch's tip; HEAD when the branch does not exist locally."""
        return self.repo.find_object(self.default_ref()) or self.repo.resolve_commit("HEAD")


def short_name(full_ref: str) -> str:
    for prefix in (BRANCH_PREFIX, TAG_PREFIX):
        if full_ref.startswith(prefix):
            return full_ref[len(prefix) :]
    return full_ref
