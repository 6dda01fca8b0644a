"""The JSON objects webhook payloads are made of (repository, user, commit, label), with the keys
GitHub sends, built from local facts. Numeric ids are stable fakes derived from names.
"""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime

from conveyor.git.commits import CommitInfo, Person
from conveyor.git.identity import LocalUser, RepositoryIdentity

JsonObject = dict[str, object]

_REPOSITORY_API_URLS = (
    ("forks_url", "/forks"),
    ("keys_url", "/keys{/key_id}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("teams_url", "/teams"),
    ("hooks_url", "/hooks"),
    ("issue_events_url", "/issues/events{/number}"),
    ("events_url", "/events"),
    ("assignees_url", "/assignees{/user}"),
    ("branches_url", "/branches{/branch}"),
    ("tags_url", "/tags"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("trees_url", "/git/trees{/sha}"),
    ("statuses_url", "/statuses/{sha}"),
    ("languages_url", "/languages"),
    ("stargazers_url", "/stargazers"),
    ("contributors_url", "/contributors"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("commits_url", "/commits{/sha}"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("comments_url", "/comments{/number}"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("contents_url", "/contents/{+path}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("merges_url", "/merges"),
    ("archive_url", "/{archive_format}{/ref}"),
    ("downloads_url", "/downloads"),
    ("issues_url", "/issues{/number}"),
    ("pulls_url", "/pulls{/number}"),
    ("milestones_url", "/milestones{/number}"),
    ("notifications_url", "/notifications{?since,all,participating}"),
    ("labels_url", "/labels{/name}"),
    ("releases_url", "/releases{/id}"),
    ("deployments_url", "/deployments"),
)


# What a local repository cannot know, as a new public repository would say it.
_REPOSITORY_FACTS: JsonObject = {
    "size": 0,
    "stargazers_count": 0,
    "watchers_count": 0,
    "language": None,
    "has_issues": True,
    "has_projects": True,
    "has_downloads": True,
    "has_wiki": True,
    "has_pages": False,
    "has_discussions": False,
    "forks_count": 0,
    "mirror_url": None,
    "archived": False,
    "disabled": False,
    "open_issues_count": 0,
    "license": None,
    "allow_forking": True,
    "is_template": False,
    "topics": [],
    "visibility": "public",
    "forks": 0,
    "open_issues": 0,
    "watchers": 0,
}


def fake_id(*parts: str) -> int:
    """A stable positive id for a named thing."""
    return zlib.crc32("/".join(parts).encode()) or 1


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def user_object(identity: RepositoryIdentity, login: str, kind: str = "User") -> JsonObject:
    api = f"{identity.api_url}/users/{login}"
    number = fake_id("user", login)
    return {
        "login": login,
        "id": number,
        "node_id": node_id(kind, number),
        "avatar_url": f"{identity.server_url}/{login}.png",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{identity.server_url}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
    }


def sender_object(identity: RepositoryIdentity, user: LocalUser) -> JsonObject:
    return user_object(identity, user.login)


def repository_object(
    identity: RepositoryIdentity, *, created: str, pushed: str, for_push: bool = False
) -> JsonObject:
    """`repository` as in every payload; push payloads carry Unix-time dates and two extra keys."""
    api = f"{identity.api_url}/repos/{identity.full_name}"
    repo = _repository_head(identity, api, for_push)
    repo.update({key: api + suffix for key, suffix in _REPOSITORY_API_URLS})
    repo.update(
        created_at=_unix(created) if for_push else created,
        updated_at=pushed,
        pushed_at=_unix(pushed) if for_push else pushed,
        git_url=f"git://{identity.host}/{identity.full_name}.git",
        ssh_url=f"git@{identity.host}:{identity.full_name}.git",
        clone_url=f"{identity.html_url}.git",
        svn_url=identity.html_url,
        homepage=None,
    )
    repo.update({**_REPOSITORY_FACTS, "topics": []})  # a fresh list per payload
    repo.update(
        default_branch=identity.default_branch,
        web_commit_signoff_required=False,
        custom_properties={},
    )
    if for_push:
        repo.update(stargazers=0, master_branch=identity.default_branch)
    return repo


def _repository_head(identity: RepositoryIdentity, api: str, for_push: bool) -> JsonObject:
    number = fake_id("repo", identity.full_name)
    owner = user_object(identity, identity.owner)
    if for_push:
        owner = {"name": identity.owner, "email": None, **owner}
    return {
        "id": number,
        "node_id": node_id("Repository", number),
        "name": identity.name,
        "full_name": identity.full_name,
        "private": False,
        "owner": owner,
        "html_url": identity.html_url,
        "description": None,
        "fork": False,
        "url": identity.html_url if for_push else api,
    }


def commit_object(identity: RepositoryIdentity, commit: CommitInfo) -> JsonObject:
    """A commit of a push payload (Actions omits the added/removed/modified lists)."""
    return {
        "id": commit.sha,
        "tree_id": commit.tree,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.committer.date,
        "url": f"{identity.html_url}/commit/{commit.sha}",
        "author": _person(commit.author),
        "committer": _person(commit.committer),
    }


def label_object(identity: RepositoryIdentity, name: str) -> JsonObject:
    number = fake_id("label", identity.full_name, name)
    return {
        "id": number,
        "node_id": node_id("Label", number),
        "url": f"{identity.api_url}/repos/{identity.full_name}/labels/{name}",
        "name": name,
        "color": f"{number % 0xFFFFFF:06x}",
        "default": False,
        "description": None,
    }


def utc_timestamp(iso: str) -> str:
    """An ISO 8601 date with offset, as GitHub's `...Z` UTC form."""
    moment = datetime.fromisoformat(iso).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _person(person: Person) -> JsonObject:
    username = person.email.split("@", 1)[0] if person.email else person.name
    return {"name": person.name, "email": person.email, "username": username}


def _unix(iso: str) -> int:
    """`utc_timestamp`'s `YYYY-MM-DDTHH:MM:SSZ` as seconds (fromisoformat: no _strptime import)."""
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp())
