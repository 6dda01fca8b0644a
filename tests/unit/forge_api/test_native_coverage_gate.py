"""`conveyor/coverage-gate` against the local forge over real HTTP: its pull request comment is
written once and updated in place on the next run, never duplicated."""

from __future__ import annotations

from pathlib import Path

from conveyor.actions.coverage_gate import CoverageGate
from conveyor.model.results import Conclusion
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge
from tests.unit.natives.support import LogConsole, invocation

# as coverage.py 7 writes it (`coverage xml`), trimmed to one file
REPORT = """<?xml version="1.0" ?>
<coverage version="7.18.0" timestamp="1" lines-valid="4" lines-covered="{covered}"
 line-rate="{rate}" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">
  <sources><source>{root}</source></sources>
  <packages><package name="." line-rate="{rate}" branch-rate="0" complexity="0"><classes>
    <class name="calc.py" filename="calc.py" complexity="0" line-rate="{rate}" branch-rate="0">
      <methods/>
      <lines>{lines}</lines>
    </class>
  </classes></package></packages>
</coverage>
"""


def report(root: Path, covered: int) -> None:
    lines = "".join(f'<line number="{n}" hits="{1 if n <= covered else 0}"/>' for n in range(1, 5))
    text = REPORT.format(covered=covered, rate=covered / 4, root=root, lines=lines)
    (root / "coverage.xml").write_text(text)


def run_gate(forge: Forge, root: Path, number: int) -> Conclusion:
    github = {
        "api_url": forge.api,
        "repository": REPO,
        "token": ROLE_TOKEN["write"],
        "event": {"pull_request": {"number": number}},
    }
    inputs = {"threshold": "60", "comment": "true"}
    call = invocation("conveyor/coverage-gate@v1", inputs, root, github)
    return CoverageGate().run(call, LogConsole()).status


def test_the_comment_is_updated_not_duplicated(forge: Forge, tmp_path: Path) -> None:
    with forge.client() as client:
        pull = client.post(
            f"/repos/{REPO}/pulls", json={"head": "feature", "base": "main", "title": "t"}
        )
        number = pull.json()["number"]
        report(tmp_path, 2)
        assert run_gate(forge, tmp_path, number) is Conclusion.FAILURE
        report(tmp_path, 3)
        assert run_gate(forge, tmp_path, number) is Conclusion.SUCCESS
        [comment] = client.get(f"/repos/{REPO}/issues/{number}/comments").json()
    assert "### Coverage gate passed" in comment["body"]
    assert "| Lines | 75.00 % | 60 % | ✅ |" in comment["body"]
