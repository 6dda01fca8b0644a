"""The native actions' REST client (`conveyor.actions.forge_rest`) against the local forge over
real HTTP: pagination by `Link`, errors naming the request, and dry runs that send nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.errors import ForgeError
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge


class LogConsole:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, line: str) -> None:
        self.lines.append(line)

    def run(self, argv: Sequence[str], *, cwd: str, env: Mapping[str, str] | None = None) -> int:
        raise AssertionError("no commands here")

    def cancelled(self) -> bool:
        return False

    def contains_secret(self, text: str) -> bool:
        return False


def rest(forge: Forge, *, dry_run: bool = False) -> tuple[ForgeRest, LogConsole]:
    console = LogConsole()
    target = ForgeTarget(forge.api, REPO, ROLE_TOKEN["write"], dry_run=dry_run)
    return ForgeRest(target, console), console


def test_paginate_follows_link_headers_and_writes_are_sent(forge: Forge) -> None:
    client, _ = rest(forge)
    issue = client.request("POST", client.repo_path("/issues"), json={"title": "t"})
    for n in range(5):
        path = client.repo_path(f"/issues/{issue['number']}/comments")
        client.request("POST", path, json={"body": f"c{n}"})
    comments = client.paginate(path, {"per_page": 2})
    assert [c["body"] for c in comments] == [f"c{n}" for n in range(5)]


def test_a_dry_run_logs_what_it_would_write_and_sends_nothing(forge: Forge) -> None:
    client, console = rest(forge, dry_run=True)
    assert client.request("POST", client.repo_path("/issues"), json={"title": "t"}) is None
    assert console.lines == [f"[dry run] would POST /repos/{REPO}/issues {{'title': 't'}}"]
    assert list(client.paginate(client.repo_path("/issues"))) == []


def test_an_error_names_the_request_and_the_forges_message(forge: Forge) -> None:
    client, _ = rest(forge)
    with pytest.raises(ForgeError, match=r"GET /repos/octo/app/issues/99: 404 Not Found"):
        client.get(client.repo_path("/issues/99"))
