"""docs/actions.md documents every input of conveyor's native repository automation actions
(issue 16: "docs/actions.md documents every input").

The inputs are read from the code: every name a handler asks for (`invocation.input("x")`,
`flag(invocation, "x", …)`, or a loop over names that feeds them) in its module and in the
`conveyor.actions` modules it imports. The inputs of the modules every native shares
(`SHARED_MODULES`: the forge client, the pull request of the event) must be in the table of
"In a served run"; an action's own in a table of its `### \\`conveyor/<name>\\`` section.
Every `conveyor/*` entry of NATIVE_ACTIONS is checked, so a new native is covered once it is
listed there."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from conveyor.actions import NATIVE_ACTIONS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "actions.md"
SHARED_MODULES = frozenset({"forge_rest", "native_support"})
COMMON_SECTION = "In a served run"
NATIVES = sorted(name for name in NATIVE_ACTIONS if name.startswith("conveyor/"))


def module_path(module: str) -> Path:
    spec = importlib.util.find_spec(f"conveyor.actions.{module}")
    assert spec is not None
    assert spec.origin is not None
    return Path(spec.origin)


def imported_modules(tree: ast.Module) -> set[str]:
    """The `conveyor.actions` modules a module imports from."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("conveyor.actions."):
            found.add(str(node.module).removeprefix("conveyor.actions."))
    return found


def loop_names(tree: ast.Module) -> dict[str, set[str]]:
    """`for name in ("a", "b")`: the constant strings each loop variable takes."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.For) and isinstance(node.target, ast.Name)):
            continue
        if isinstance(node.iter, ast.Tuple | ast.List):
            values = {e.value for e in node.iter.elts if isinstance(e, ast.Constant)}
            found.setdefault(node.target.id, set()).update(str(v) for v in values)
    return found


def asked_inputs(tree: ast.Module) -> set[str]:
    """The names given to `<x>.input(NAME, …)` and `flag(<x>, NAME, …)`."""
    loops, found = loop_names(tree), set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "input" and node.args:
            argument: ast.expr | None = node.args[0]
        elif isinstance(func, ast.Name) and func.id == "flag" and len(node.args) > 1:
            argument = node.args[1]
        else:
            argument = None
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            found.add(argument.value)
        elif isinstance(argument, ast.Name):
            found.update(loops.get(argument.id, set()))
    return found


def code_inputs(module: str) -> tuple[set[str], set[str]]:
    """(the action's own inputs, the shared modules' inputs) of the handler in `module`."""
    own: set[str] = set()
    shared: set[str] = set()
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        tree = ast.parse(module_path(current).read_text(encoding="utf-8"))
        (shared if current in SHARED_MODULES else own).update(asked_inputs(tree))
        todo.extend(imported_modules(tree))
    return own, shared


def sections(text: str) -> dict[str, str]:
    """The docs' sections (their text) by heading title, backticks removed."""
    found: dict[str, str] = {}
    parts = re.split(r"^#{2,4} (.+)$", text, flags=re.MULTILINE)
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        found[title.replace("`", "").strip()] = body
    return found


def documented_inputs(section: str) -> set[str]:
    """The `names` in the first column of the section's tables."""
    found: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            first = line.split("|")[1]
            found.update(re.findall(r"`([^`]+)`", first))
    return found


@pytest.mark.parametrize("native", NATIVES)
def test_every_input_of_a_native_action_is_documented(native: str) -> None:
    by_title = sections(DOCS.read_text(encoding="utf-8"))
    assert native in by_title, f"docs/actions.md has no ### `{native}` section"
    assert COMMON_SECTION in by_title, f"docs/actions.md has no '{COMMON_SECTION}' section"
    own, shared = code_inputs(NATIVE_ACTIONS[native][0])
    assert own, f"no input found in the code of {native}: the scan is broken"
    missing = own - documented_inputs(by_title[native])
    assert not missing, f"{native}: inputs not documented in its section: {sorted(missing)}"
    common = shared - documented_inputs(by_title[COMMON_SECTION])
    assert not common, f"inputs not documented under '{COMMON_SECTION}': {sorted(common)}"


def test_the_scan_finds_inputs_named_in_a_loop() -> None:
    own, shared = code_inputs("coverage_gate")
    assert {"threshold", "branch-threshold", "diff-threshold", "files", "file", "diff"} <= own
    assert {"github-token", "repo-token", "repository", "debug-only", "pr-number"} <= shared
