"""A small shared repository for the git adapter tests (built once per module: git is slow)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.unit.git.repo_factory import TestRepo, make_repo


@dataclass(frozen=True)
class History:
    """main: c1 → c2 (tags v1.0, nightly) → c5; topic: c2 → c3; docs: c2 → c4;
    clash: c2 → c6 (conflicts with c5). `topic` is checked out."""

    repo: TestRepo
    c1: str
    c2: str
    c3: str
    c4: str
    c5: str
    c6: str


def build_history(repo: TestRepo) -> History:
    c1 = repo.commit(
        {"README.md": "# app\n", "src/app.py": "print(1)\n", "docs/guide.md": "guide\n"}, "Initial"
    )
    c2 = repo.commit({"src/app.py": "print(2)\n"}, "Change app")
    repo.tag("v1.0", "Release 1.0\n\nFirst release.")
    repo.tag("nightly")
    repo.checkout("topic", create=True)
    c3 = repo.commit({"src/lib.py": "x = 1\n"}, "Add lib\n\nA longer body.")
    repo.checkout("docs", create=True, start=c2)
    c4 = repo.commit({"docs/guide.md": "guide v2\n", "README.md": "# app!\n"}, "Docs only")
    repo.checkout("clash", create=True, start=c2)
    c6 = repo.commit({"src/other.py": "theirs\n"}, "Clashing change")
    repo.checkout("main")
    c5 = repo.commit({"src/other.py": "ours\n"}, "Other change")
    repo.checkout("topic")
    return History(repo, c1, c2, c3, c4, c5, c6)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("history")
    return build_history(make_repo(root / "repo", remote="git@github.com:octo/app.git"))
