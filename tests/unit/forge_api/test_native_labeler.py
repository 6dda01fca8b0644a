"""`conveyor/labeler` against the local forge over real HTTP: the pull request's files from the
API, labels added and removed (only its own), the XL warning comment written once, then updated."""

from __future__ import annotations

from pathlib import Path

from conveyor.actions.labeler import Labeler
from conveyor.model.results import Conclusion
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge, git
from tests.unit.natives.support import LogConsole, invocation

CONFIG = """
docs:
- changed-files:
  - any-glob-to-any-file: 'docs/**'
source:
- changed-files:
  - any-glob-to-any-file: 'src/**'
tests:
- changed-files:
  - any-glob-to-any-file: 'tests/**'
feature-branch:
- head-branch: '^three$'
"""


def push_branch(forge: Forge, branch: str, files: dict[str, str]) -> None:
    git(forge.work, "checkout", "-qb", branch, "main")
    for name, text in files.items():
        (forge.work / name).parent.mkdir(parents=True, exist_ok=True)
        (forge.work / name).write_text(text)
    git(forge.work, "add", "-A")
    git(forge.work, "commit", "-qm", f"{branch}")
    git(forge.work, "push", "-q", str(forge.bare), branch)


def run_labeler(forge: Forge, tmp_path: Path, number: int, **inputs: str) -> Conclusion:
    (tmp_path / ".github").mkdir(exist_ok=True)
    (tmp_path / ".github/labeler.yml").write_text(CONFIG)
    github = {
        "api_url": forge.api,
        "repository": REPO,
        "token": ROLE_TOKEN["write"],
        "event": {"pull_request": {"number": number}},
    }
    call = invocation("conveyor/labeler@v1", inputs, tmp_path, github)
    outcome = Labeler().run(call, LogConsole())
    assert outcome.error is None, outcome.error
    return outcome.status


def pull_labels(forge: Forge, number: int) -> list[str]:
    with forge.client() as client:
        found = client.get(f"/repos/{REPO}/issues/{number}/labels").json()
        return sorted(label["name"] for label in found)


def open_pull(forge: Forge, head: str) -> int:
    with forge.client() as client:
        made = client.post(
            f"/repos/{REPO}/pulls", json={"head": head, "base": "main", "title": head}
        )
        return int(made.json()["number"])


def test_a_pull_request_of_three_files_gets_xs_and_path_labels(
    forge: Forge, tmp_path: Path
) -> None:
    push_branch(forge, "three", {"docs/a.md": "a\n", "src/b.py": "b\n", "src/c.py": "c\n"})
    number = open_pull(forge, "three")
    with forge.client() as client:
        labels = {"labels": ["size/L", "tests", "keep-me"]}
        client.post(f"/repos/{REPO}/issues/{number}/labels", json=labels)
    assert run_labeler(forge, tmp_path, number, **{"sync-labels": "true"}) is Conclusion.SUCCESS
    assert pull_labels(forge, number) == ["docs", "feature-branch", "keep-me", "size/XS", "source"]


def test_an_xl_pull_request_gets_one_comment_updated_in_place(forge: Forge, tmp_path: Path) -> None:
    push_branch(forge, "big", {"src/big.py": "x = 1\n" * 700})
    number = open_pull(forge, "big")
    run_labeler(forge, tmp_path, number)
    run_labeler(forge, tmp_path, number)
    with forge.client() as client:
        comments = client.get(f"/repos/{REPO}/issues/{number}/comments").json()
    assert len(comments) == 1
    assert "size/XL" in comments[0]["body"]
    assert "700" in comments[0]["body"]
    assert "size/XL" in pull_labels(forge, number)
