"""The built-in functions: their names, arities and implementations.

An implementation receives the scope and its arguments as compiled (unevaluated) nodes, so it can
evaluate them lazily and in GitHub's order (`contains(obj, x)` never evaluates `x`, format() only
the arguments it uses, case() only up to the branch it takes). `count` exists in GitHub's runner
but not in the workflow schema, so it is not offered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr.formatting import format_string
from conveyor.expr.hashfiles import hash_files
from conveyor.expr.jsontext import from_json, to_json
from conveyor.expr.limits import MAX_PARAMETERS
from conveyor.expr.memory import TextBudget
from conveyor.expr.scope import Compiled, Scope
from conveyor.expr.values import (
    MISSING,
    find_property,
    fold,
    is_primitive,
    loose_equal,
    to_string,
)

Implementation = Callable[[Scope, tuple[Compiled, ...]], object]


@dataclass(frozen=True)
class FunctionInfo:
    name: str  # as documented
    min_args: int
    max_args: int
    implementation: Implementation
    odd_args: bool = False


def _contains(scope: Scope, args: tuple[Compiled, ...]) -> bool:
    search = args[0](scope)
    if is_primitive(search):
        item = args[1](scope)
        return is_primitive(item) and fold(to_string(item)) in fold(to_string(search))
    if isinstance(search, list | tuple) and search:
        item = args[1](scope)
        return any(loose_equal(item, element) for element in search)
    return False


def _affix_test(test: Callable[[str, str], bool]) -> Implementation:
    def implementation(scope: Scope, args: tuple[Compiled, ...]) -> bool:
        text = args[0](scope)
        if not is_primitive(text):
            return False
        affix = args[1](scope)
        return is_primitive(affix) and test(fold(to_string(text)), fold(to_string(affix)))

    return implementation


def _format(scope: Scope, args: tuple[Compiled, ...]) -> str:
    template = to_string(args[0](scope))
    return format_string(template, len(args) - 1, lambda index: args[index + 1](scope))


def _join(scope: Scope, args: tuple[Compiled, ...]) -> str:
    items = args[0](scope)
    if isinstance(items, list | tuple) and items:
        separator = ","
        if len(items) > 1 and len(args) > 1:
            value = args[1](scope)
            separator = to_string(value) if is_primitive(value) else separator
        budget = TextBudget()
        return budget.add(separator).join(budget.add(to_string(item)) for item in items)
    return to_string(items) if is_primitive(items) else ""


def _to_json(scope: Scope, args: tuple[Compiled, ...]) -> str:
    return to_json(args[0](scope))


def _from_json(scope: Scope, args: tuple[Compiled, ...]) -> object:
    return from_json(to_string(args[0](scope)))


def _case(scope: Scope, args: tuple[Compiled, ...]) -> object:
    if len(args) % 2 == 0:
        raise ExpressionEvaluationError("case requires an odd number of arguments")
    for index in range(0, len(args) - 1, 2):
        predicate = args[index](scope)
        if not isinstance(predicate, bool):
            raise ExpressionEvaluationError("case predicate must evaluate to a boolean value")
        if predicate:
            return args[index + 1](scope)
    return args[-1](scope)


def _status(*statuses: str) -> Implementation:
    def implementation(scope: Scope, args: tuple[Compiled, ...]) -> bool:
        return not statuses or scope.job_status in statuses

    return implementation


def _hash_files(scope: Scope, args: tuple[Compiled, ...]) -> str:
    patterns = [to_string(arg(scope)) for arg in args]
    follow = False
    if patterns[0].startswith("--"):
        if fold(patterns[0]) != "--FOLLOW-SYMBOLIC-LINKS":
            raise ExpressionEvaluationError(
                f"Invalid glob option {patterns[0]}, available option: '--follow-symbolic-links'."
            )
        follow, patterns = True, patterns[1:]
    workspace = _workspace(scope.contexts)
    try:
        return hash_files(workspace, patterns, follow)
    except (OSError, ValueError) as exc:
        quoted = ", ".join(patterns).replace("'", "''")
        raise ExpressionEvaluationError(
            f"hashFiles('{quoted}') failed. Fail to hash files under directory '{workspace}': {exc}"
        ) from None


def _workspace(contexts: Mapping[str, object]) -> str:
    github = find_property(contexts, "github")
    workspace = find_property(github, "workspace") if isinstance(github, Mapping) else MISSING
    if not isinstance(workspace, str) or not workspace:
        raise ExpressionEvaluationError("hashFiles needs github.workspace in the contexts")
    return workspace


_TABLE = (
    FunctionInfo("contains", 2, 2, _contains),
    FunctionInfo("startsWith", 2, 2, _affix_test(str.startswith)),
    FunctionInfo("endsWith", 2, 2, _affix_test(str.endswith)),
    FunctionInfo("format", 1, MAX_PARAMETERS, _format),
    FunctionInfo("join", 1, 2, _join),
    FunctionInfo("toJSON", 1, 1, _to_json),
    FunctionInfo("fromJSON", 1, 1, _from_json),
    FunctionInfo("hashFiles", 1, MAX_PARAMETERS, _hash_files),
    FunctionInfo("case", 3, MAX_PARAMETERS, _case, odd_args=True),
    FunctionInfo("success", 0, 0, _status("success")),
    FunctionInfo("failure", 0, 0, _status("failure")),
    FunctionInfo("cancelled", 0, 0, _status("cancelled")),
    FunctionInfo("always", 0, 0, _status()),
)

FUNCTIONS: dict[str, FunctionInfo] = {info.name.lower(): info for info in _TABLE}
"""The built-in functions by lower-cased name."""

STATUS_FUNCTIONS = frozenset({"success", "failure", "cancelled", "always"})
