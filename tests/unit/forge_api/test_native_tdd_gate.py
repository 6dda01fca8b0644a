"""`conveyor/tdd-gate` against the local forge over real HTTP: the body re-read through the API
(an edited body re-evaluates), one comment listing what is missing, updated, never duplicated."""

from __future__ import annotations

from pathlib import Path

from conveyor.actions.tdd_gate import TddGate
from conveyor.model.results import Conclusion
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge
from tests.unit.natives.support import LogConsole, invocation

PULLS = f"/repos/{REPO}/pulls"
PROOF = "## TDD Proof\n- [x] test first\n- [x] seen failing\n- [x] made to pass\n"


def run_gate(forge: Forge, tmp_path: Path, number: int, stale_body: str) -> Conclusion:
    github = {
        "api_url": forge.api,
        "repository": REPO,
        "token": ROLE_TOKEN["write"],
        "event": {"pull_request": {"number": number, "body": stale_body}},
    }
    call = invocation("conveyor/tdd-gate@v1", {}, tmp_path, github)
    return TddGate().run(call, LogConsole()).status


def test_the_gate_comments_once_and_re_reads_an_edited_body(forge: Forge, tmp_path: Path) -> None:
    with forge.client() as client:
        pull = client.post(PULLS, json={"head": "feature", "base": "main", "title": "t"}).json()
        number = pull["number"]
        assert run_gate(forge, tmp_path, number, "") is Conclusion.FAILURE
        assert run_gate(forge, tmp_path, number, "") is Conclusion.FAILURE
        comments = client.get(f"/repos/{REPO}/issues/{number}/comments").json()
        assert len(comments) == 1
        assert "the section `## TDD Proof`" in comments[0]["body"]
        client.patch(f"{PULLS}/{number}", json={"body": PROOF})
        assert run_gate(forge, tmp_path, number, "") is Conclusion.SUCCESS  # the payload is stale
        [comment] = client.get(f"/repos/{REPO}/issues/{number}/comments").json()
        assert "TDD gate passed" in comment["body"]
