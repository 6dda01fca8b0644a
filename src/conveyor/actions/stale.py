"""conveyor/stale: actions/stale, natively. Open issues and pull requests not updated for
`days-before-stale` get the stale label (and message); stale ones are closed after
`days-before-close`, or un-marked when someone updated them. Every write to the forge counts
against `operations-per-run`; when the budget is spent the run stops and says so.

Inputs and outputs: docs/actions.md (conveyor/stale). The clock is CONVEYOR_STALE_NOW when set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from conveyor.actions.forge_rest import ForgeRest, ForgeTarget
from conveyor.actions.native_support import finding, flag, number, table
from conveyor.actions.stale_rules import (
    Kind,
    Rules,
    due,
    exemption,
    kind_of,
    label_names,
    now_of,
    rules_for,
    timestamp,
    updated_since_marked,
)
from conveyor.engine.ports.actions import ActionConsole, ActionInvocation, ActionOutcome, failed
from conveyor.errors import ForgeError, UsageError
from conveyor.model.results import Annotation

Item = Mapping[str, Any]


class BudgetSpent(Exception):
    """operations-per-run is spent: the run stops here."""


@dataclass
class Budget:
    limit: int
    used: int = 0

    def spend(self, writes: int) -> None:
        """Reserve `writes` operations, or stop the run (never half an operation)."""
        if self.used + writes > self.limit:
            raise BudgetSpent
        self.used += writes


@dataclass
class Report:
    staled: list[Item] = field(default_factory=list)
    closed: list[Item] = field(default_factory=list)
    unmarked: list[Item] = field(default_factory=list)
    exempt: int = 0
    seen: int = 0
    stopped: bool = False
    notes: list[Annotation] = field(default_factory=list)


def _brief(item: Item) -> dict[str, object]:
    return {"number": item["number"], "title": item.get("title"), "kind": str(kind_of(item))}


@dataclass
class StaleRun:
    rest: ForgeRest
    console: ActionConsole
    rules: Mapping[Kind, Rules]
    now: float
    budget: Budget
    close_reason: str
    report: Report = field(default_factory=Report)
    drafts: frozenset[int] = frozenset()

    def issue_path(self, item: Item, tail: str = "") -> str:
        return self.rest.repo_path(f"/issues/{item['number']}{tail}")

    def process(self, item: Item) -> None:
        self.report.seen += 1
        rules = self.rules[kind_of(item)]
        why = exemption(item, rules, item["number"] in self.drafts)
        if why is not None:
            self.report.exempt += 1
        elif rules.stale_label in label_names(item):
            self.handle_stale(item, rules)
        elif due(timestamp(item.get("updated_at")), rules.stale_days, self.now):
            self.mark(item, rules)

    def mark(self, item: Item, rules: Rules) -> None:
        self.budget.spend(1 + bool(rules.stale_message))
        self.console.log(f"#{item['number']}: marked stale ({rules.stale_label})")
        if rules.stale_message:
            self.comment(item, rules.stale_message)
        self.add_label(item, rules.stale_label)
        self.report.staled.append(item)
        if rules.close_days == 0:
            self.close(item, rules)

    def handle_stale(self, item: Item, rules: Rules) -> None:
        marked_at, commented = self.marked(item, rules)
        updated_at = timestamp(item.get("updated_at"))
        if rules.remove_when_updated and updated_since_marked(updated_at, marked_at, commented):
            self.budget.spend(1)
            self.console.log(f"#{item['number']}: updated since marked stale: label removed")
            label = quote(rules.stale_label, safe="")
            self.rest.request("DELETE", self.issue_path(item, f"/labels/{label}"))
            self.report.unmarked.append(item)
        elif due(marked_at, rules.close_days, self.now):
            self.close(item, rules)

    def marked(self, item: Item, rules: Rules) -> tuple[float, bool]:
        """When the item was marked stale (its stale comment, else its last update), and
        whether someone commented since."""
        if not rules.stale_message or not item.get("comments"):
            return timestamp(item.get("updated_at")), False
        comments = list(self.rest.paginate(self.issue_path(item, "/comments")))
        ours = [n for n, c in enumerate(comments) if c.get("body") == rules.stale_message]
        if not ours:
            return timestamp(item.get("updated_at")), False
        later = comments[ours[-1] + 1 :]
        return timestamp(comments[ours[-1]].get("created_at")), bool(later)

    def close(self, item: Item, rules: Rules) -> None:
        self.budget.spend(1 + bool(rules.close_message) + bool(rules.close_label))
        self.console.log(f"#{item['number']}: closed (stale for {rules.close_days:g} days)")
        if rules.close_message:
            self.comment(item, rules.close_message)
        if rules.close_label:
            self.add_label(item, rules.close_label)
        change: dict[str, str] = {"state": "closed"}
        if kind_of(item) is Kind.ISSUE:
            change["state_reason"] = self.close_reason
        self.rest.request("PATCH", self.issue_path(item), json=change)
        self.report.closed.append(item)

    def comment(self, item: Item, body: str) -> None:
        self.rest.request("POST", self.issue_path(item, "/comments"), json={"body": body})

    def add_label(self, item: Item, name: str) -> None:
        self.rest.request("POST", self.issue_path(item, "/labels"), json={"labels": [name]})


class Stale:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        target = ForgeTarget.of(invocation)
        if not target.token or not target.api_url:
            note = finding(
                "notice", "conveyor/stale: no forge token, so no issues to read: skipped"
            )
            return ActionOutcome(outputs=_outputs(Report()), annotations=(note,))
        rest = ForgeRest(target, console)
        try:
            stale_run = _stale_run(invocation, rest, console)
            _walk(invocation, stale_run)
        except (UsageError, ForgeError) as error:
            return failed(f"conveyor/stale: {error}")
        finally:
            rest.close()
        report = stale_run.report
        return ActionOutcome(
            outputs=_outputs(report), summary=_summary(stale_run), annotations=tuple(report.notes)
        )


def _stale_run(invocation: ActionInvocation, rest: ForgeRest, console: ActionConsole) -> StaleRun:
    limit = int(number(invocation, "operations-per-run", 30))
    reason = invocation.input("close-issue-reason", "not_planned")
    if reason not in ("completed", "not_planned"):
        raise UsageError(f"input `close-issue-reason`: completed or not_planned, got {reason!r}")
    rules = {kind: rules_for(invocation, kind) for kind in Kind}
    stale_run = StaleRun(rest, console, rules, now_of(invocation), Budget(limit), reason)
    if rules[Kind.PR].exempt_draft:
        pulls = rest.paginate(rest.repo_path("/pulls"), {"state": "open"})
        stale_run.drafts = frozenset(p["number"] for p in pulls if p.get("draft"))
    return stale_run


def _walk(invocation: ActionInvocation, stale_run: StaleRun) -> None:
    ascending = flag(invocation, "ascending", False)
    params = {"state": "open", "sort": "created", "direction": "asc" if ascending else "desc"}
    try:
        for item in stale_run.rest.paginate(stale_run.rest.repo_path("/issues"), params):
            stale_run.process(item)
    except BudgetSpent:
        stale_run.report.stopped = True
        limit = stale_run.budget.limit
        message = (
            f"conveyor/stale: operations-per-run ({limit}) spent after "
            f"{stale_run.report.seen - 1} items; the rest waits for the next run"
        )
        stale_run.console.log(message)
        stale_run.report.notes.append(finding("warning", message))


def _outputs(report: Report) -> dict[str, str]:
    return {
        "staled-issues-prs": json.dumps([_brief(item) for item in report.staled]),
        "closed-issues-prs": json.dumps([_brief(item) for item in report.closed]),
    }


def _summary(stale_run: StaleRun) -> str:
    report, budget = stale_run.report, stale_run.budget
    dry = " (dry run: nothing written)" if stale_run.rest.target.dry_run else ""
    rows = [
        ["marked stale", _numbers(report.staled)],
        ["closed", _numbers(report.closed)],
        ["un-marked (updated)", _numbers(report.unmarked)],
        ["exempt", str(report.exempt)],
        ["operations", f"{budget.used} of {budget.limit}" + (" — spent" if report.stopped else "")],
    ]
    return f"## conveyor/stale{dry}\n\n" + table(["", ""], rows)


def _numbers(items: list[Item]) -> str:
    return ", ".join(f"#{item['number']}" for item in items) or "none"
