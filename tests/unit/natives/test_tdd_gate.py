"""`conveyor/tdd-gate` on pull request bodies from the event payload (no forge: a dry run)."""

from __future__ import annotations

from pathlib import Path

from conveyor.actions.tdd_gate import TddGate, section_items
from conveyor.model.results import Conclusion
from tests.unit.natives.support import LogConsole, invocation

PROOF = """Adds the thing.

## TDD Proof
- [x] Failing test written first: `test_thing`
- [X] Seen failing for the right reason
- [x] Made to pass with the smallest change

## Notes
- [ ] not part of the proof
"""


def gate(tmp_path: Path, body: str, **inputs: str):  # type: ignore[no-untyped-def]
    github = {"event": {"pull_request": {"number": 7, "body": body}}}
    console = LogConsole()
    call = invocation("conveyor/tdd-gate@v1", inputs, tmp_path, github)
    return TddGate().run(call, console), console


def test_a_section_with_three_checked_items_passes(tmp_path: Path) -> None:
    outcome, _ = gate(tmp_path, PROOF)
    assert outcome.status is Conclusion.SUCCESS, outcome.error
    assert outcome.outputs["checked"] == "3"


def test_the_section_ends_at_the_next_heading_of_its_level(tmp_path: Path) -> None:
    items = section_items(PROOF, "## TDD Proof")
    assert items is not None
    assert [item.checked for item in items] == [True, True, True]


def test_an_unchecked_item_fails_and_the_dry_run_prints_the_comment(tmp_path: Path) -> None:
    body = PROOF.replace("- [X] Seen failing", "- [ ] Seen failing")
    outcome, console = gate(tmp_path, body)
    assert outcome.status is Conclusion.FAILURE
    assert "unchecked: Seen failing for the right reason" in outcome.outputs["missing"]
    assert "[dry run] would POST /repos//issues/7/comments" in console.text
    assert "Missing:" in console.text


def test_a_missing_section_or_too_few_items_fail(tmp_path: Path) -> None:
    absent, _ = gate(tmp_path, "no proof here")
    assert absent.outputs["missing"] == "the section `## TDD Proof`"
    short, _ = gate(tmp_path, "## TDD Proof\n- [x] one\n")
    assert short.outputs["missing"] == "2 more checklist item(s) (3 required)"


def test_named_items_must_each_be_present_and_checked(tmp_path: Path) -> None:
    body = "### Proof\n- [x] Red: test fails\n- [ ] Green: test passes\n"
    outcome, _ = gate(tmp_path, body, heading="### Proof", items="red, green\nrefactor")
    assert outcome.outputs["missing"].splitlines() == ["unchecked: green", "missing: refactor"]
    assert outcome.error is not None
    assert "does not prove TDD" in outcome.error


def test_not_a_pull_request_is_nothing_to_check(tmp_path: Path) -> None:
    call = invocation("conveyor/tdd-gate@v1", {}, tmp_path, {"event": {"ref": "refs/heads/x"}})
    outcome = TddGate().run(call, LogConsole())
    assert outcome.status is Conclusion.SUCCESS
    assert outcome.outputs["result"] == "skipped"
