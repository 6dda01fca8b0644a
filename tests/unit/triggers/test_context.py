"""The `github` context per event and the GITHUB_* variables."""

from __future__ import annotations

from conveyor.model.events import Event
from conveyor.triggers import github_context, github_env
from tests.unit.triggers.factories import pull_request, push

PAYLOAD = {
    "repository": {"id": 42, "full_name": "octo/app", "owner": {"login": "octo", "id": 7}},
    "sender": {"login": "mona", "id": 9},
}


def _context(event: Event) -> dict[str, object]:
    return github_context(
        event,
        repository="octo/app",
        workflow="CI",
        job="build",
        run_id=1234,
        run_number=5,
        run_attempt=2,
        actor="mona",
        workspace="/work/app",
        workflow_path=".github/workflows/ci.yml",
    )


def test_push_context() -> None:
    event = Event("push", ref="refs/heads/main", sha="c" * 40, payload=PAYLOAD)
    context = _context(event)
    expected = {
        "event_name": "push",
        "ref": "refs/heads/main",
        "ref_name": "main",
        "ref_type": "branch",
        "sha": "c" * 40,
        "base_ref": "",
        "head_ref": "",
        "repository": "octo/app",
        "repository_owner": "octo",
        "repository_id": "42",
        "repository_owner_id": "7",
        "actor": "mona",
        "actor_id": "9",
        "triggering_actor": "mona",
        "run_id": "1234",
        "run_number": "5",
        "run_attempt": "2",
        "workflow": "CI",
        "workflow_ref": "octo/app/.github/workflows/ci.yml@refs/heads/main",
        "workflow_sha": "c" * 40,
        "job": "build",
        "server_url": "https://github.com",
        "api_url": "https://api.github.com",
        "graphql_url": "https://api.github.com/graphql",
        "workspace": "/work/app",
        "repositoryUrl": "git://github.com/octo/app.git",
        "event": PAYLOAD,
    }
    assert {key: context[key] for key in expected} == expected


def test_tag_push_context() -> None:
    context = _context(push("refs/tags/v1.2.0"))
    assert (context["ref_name"], context["ref_type"]) == ("v1.2.0", "tag")


def test_pull_request_context_sets_base_and_head_refs() -> None:
    context = _context(pull_request(base="main", head="topic"))
    assert context["ref"] == "refs/pull/7/merge"
    assert context["ref_name"] == "7/merge"
    assert context["ref_type"] == "branch"
    assert (context["base_ref"], context["head_ref"]) == ("main", "topic")


def test_base_and_head_refs_are_empty_for_other_events() -> None:
    event = Event("push", ref="refs/heads/main", base_ref="main", head_ref="x")
    context = _context(event)
    assert (context["base_ref"], context["head_ref"]) == ("", "")


def test_enterprise_server_urls() -> None:
    context = github_context(Event("push"), server_url="https://ghe.example.com/")
    assert context["server_url"] == "https://ghe.example.com"
    assert context["api_url"] == "https://ghe.example.com/api/v3"
    assert context["graphql_url"] == "https://ghe.example.com/api/graphql"


def test_repository_and_actor_default_to_the_events() -> None:
    event = Event("push", repository="acme/site", actor="octocat")
    context = github_context(event)
    assert (context["repository"], context["actor"]) == ("acme/site", "octocat")
    assert context["repository_owner"] == "acme"


def test_github_env_exports_the_allow_listed_keys_as_strings() -> None:
    event = Event("push", ref="refs/heads/main", sha="d" * 40, payload=PAYLOAD)
    env = github_env(_context(event))
    assert env["CI"] == "true"
    assert env["GITHUB_ACTIONS"] == "true"
    assert env["GITHUB_REF"] == "refs/heads/main"
    assert env["GITHUB_REF_NAME"] == "main"
    assert env["GITHUB_REF_PROTECTED"] == "false"
    assert env["GITHUB_RUN_ID"] == "1234"
    assert env["GITHUB_BASE_REF"] == ""
    assert env["GITHUB_REPOSITORY_OWNER_ID"] == "7"
    assert env["GITHUB_WORKSPACE"] == "/work/app"
    assert "GITHUB_EVENT" not in env
    assert "GITHUB_TOKEN" not in env
    assert "GITHUB_REPOSITORYURL" not in env
    assert all(isinstance(value, str) for value in env.values())
