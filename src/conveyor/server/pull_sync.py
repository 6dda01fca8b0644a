"""The ref listener (`ServerContext.ref_listeners`) that keeps the local forge's pull requests on
their head branch: a push to a branch moves every open pull request whose head it is and fires
`pull_request: synchronize` (`forge_api.pull_actions.synchronize_branch`).

    context.ref_listeners.append(synchronize_listener("http://HOST:PORT"))

A push made with a job's token (pusher `job:...`) moves them without starting runs, as a push
with GitHub's `GITHUB_TOKEN` does. Deleted branches and tags are not heads: nothing happens."""

from __future__ import annotations

from collections.abc import Callable

from conveyor.git.hosting import RefUpdate
from conveyor.server.context import ServerContext
from conveyor.server.forge_api.pull_actions import synchronize_branch

BRANCH = "refs/heads/"
JOB_PUSHER = "job:"  # the principal name of a job's token (`token_verifier`)


def synchronize_listener(server_url: str) -> Callable[[ServerContext, RefUpdate], None]:
    """A listener firing `synchronize` with the pull requests' URLs at `server_url`."""

    def listener(context: ServerContext, update: RefUpdate) -> None:
        if not update.ref.startswith(BRANCH) or update.deleted:
            return
        synchronize_branch(
            context, update.repository, update.ref.removeprefix(BRANCH), server_url,
            update.pusher, before=None if update.created else update.before,
            fires=not update.pusher.startswith(JOB_PUSHER),
        )  # fmt: skip

    return listener
