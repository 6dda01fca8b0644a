"""Validate a YAML tree against GitHub's template schema, the way GitHub's template reader does.

For each value the reader knows the schema definition that applies and the expression scope
(allowed contexts). Mappings with several candidate definitions (a step: `run` or `uses`; a job:
normal or reusable-workflow call) are narrowed key by key. Scalars that do not match are converted
to strings where a string is accepted (`FOO: 1` in `env` is the string `"1"`), as GitHub does; the
converted value is stored back in the node. Keys are case-insensitively unique in every mapping.
"""

from __future__ import annotations

from conveyor.workflow.expression_checks import OPEN, ExpressionChecker
from conveyor.workflow.report import Report
from conveyor.workflow.schema_messages import (
    ROOT,
    Where,
    describe,
    expected,
    inside,
    suggestion,
)
from conveyor.workflow.scopes import EMPTY_SCOPE, Scope, child_scope
from conveyor.workflow.template_schema import (
    ANY,
    Definition,
    Kind,
    Property,
    TemplateSchema,
)
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, display_string

CONDITIONS = frozenset({"job-if", "step-if", "snapshot-if"})
STEP_KINDS = frozenset(
    {"run-step", "regular-step", "wait-step", "wait-all-step", "cancel-step", "parallel-step"}
)
JOB_KINDS = frozenset({"job-factory", "workflow-job"})
_FOREGROUND = "conveyor runs every step in the foreground"
# Keys GitHub accepts but conveyor does not act on: (definitions holding them, values that change
# nothing, warning).
TOLERATED: dict[str, tuple[frozenset[str], tuple[object, ...], str]] = {
    "snapshot": (frozenset({"job-factory"}), (), "runner snapshots are not supported; ignored"),
    "queue": (
        frozenset({"concurrency-mapping"}),
        ("single",),
        "concurrency queues are not supported; ignored",
    ),
    "deployment": (
        frozenset({"job-environment-mapping"}),
        (False,),
        "deployment records are not created; ignored",
    ),
    "background": (frozenset({"run-step", "regular-step"}), (False,), f"{_FOREGROUND}; ignored"),
    "wait": (frozenset({"wait-step"}), (), f"{_FOREGROUND}; this step does nothing"),
    "wait-all": (frozenset({"wait-all-step"}), (), f"{_FOREGROUND}; this step does nothing"),
    "cancel": (frozenset({"cancel-step"}), (), f"{_FOREGROUND}; this step does nothing"),
    "parallel": (frozenset({"parallel-step"}), (), "these steps run one after another"),
}
# Mappings the model keeps as mappings: GitHub also accepts one expression for the whole value.
WHOLE_MAPPINGS = frozenset(
    {"workflow-env", "job-env", "step-env", "step-with", "workflow-job-with", "job-outputs"}
    | {"services", "job-defaults-run", "strategy", "container-env", "workflow-job-secrets"}
    | {"container-registry-credentials"}
)
# Mappings whose unknown keys GitHub ignores: they are a warning, not an error.
IGNORED_UNKNOWN_KEYS = frozenset({"workflow-dispatch-mapping"})
# Required keys nektos/act does without: missing, they are a warning, not an error.
LENIENT_REQUIRED: dict[tuple[str, str], str] = {
    ("workflow-call-input-definition", "type"): "GitHub requires it; conveyor reads it as 'string'",
}


class TemplateReader:
    def __init__(self, schema: TemplateSchema, report: Report) -> None:
        self.schema = schema
        self.report = report
        self.expressions = ExpressionChecker(report)

    def read_root(self, node: Node, definition: str) -> None:
        self.read_value(node, definition, EMPTY_SCOPE, ROOT)

    def read_value(self, node: Node, name: str, scope: Scope, where: Where) -> None:
        definition = self.schema.get(name)
        if definition.context:
            scope = child_scope(scope, definition.context)
        if isinstance(node, ScalarNode):
            self.read_scalar(node, name, scope, where)
        elif isinstance(node, MappingNode):
            self.read_mapping(node, name, scope, where)
        else:
            sequences = self.schema.definitions_of_kind(name, Kind.SEQUENCE)
            if not sequences:
                self.type_error(node, name, where)
                return
            item_type = sequences[0].item_type
            for index, item in enumerate(node.items):
                self.read_value(item, item_type, scope, where.child(index))

    def read_scalar(self, node: ScalarNode, name: str, scope: Scope, where: Where) -> None:
        value = node.value
        has_expressions = isinstance(value, str) and OPEN in value
        if has_expressions and self.expressions.check_template(node, str(value), scope, where):
            if name in CONDITIONS:
                self.expressions.warn_if_always_true(node, str(value), where)
            elif name in WHOLE_MAPPINGS and scope.allows_expressions:
                message = (
                    f"conveyor does not support one expression for the whole of {where.render()};"
                    " write it as a mapping"
                )
                self.report.error(node, "unsupported-expression", message)
            return
        if not self.accept_scalar(node, name):
            self.type_error(node, name, where)
        elif name in CONDITIONS and isinstance(node.value, str) and OPEN not in node.value:
            self.expressions.check_condition(node, node.value, scope, where)

    def accept_scalar(self, node: ScalarNode, name: str) -> bool:
        definitions = self.schema.scalar_definitions(name)
        value = node.value
        if any(d.accepts(value) for d in definitions):
            return True
        if isinstance(value, str):
            return False
        text = display_string(value)
        if any(d.kind is Kind.STRING and d.accepts(text) for d in definitions):
            node.value = text
            return True
        return False

    def read_mapping(self, node: MappingNode, name: str, scope: Scope, where: Where) -> None:
        mappings = self.schema.definitions_of_kind(name, Kind.MAPPING)
        if not mappings:
            self.type_error(node, name, where)
        elif len(mappings) > 1 or mappings[0].properties or not mappings[0].loose_key_type:
            _KnownKeys(self, node, list(mappings), scope, where).read()
        else:
            self.read_loose(node, mappings[0], scope, where)

    def read_loose(
        self, node: MappingNode, mapping: Definition, scope: Scope, where: Where
    ) -> None:
        seen: dict[str, str] = {}
        key_type, value_type = mapping.loose_key_type or "string", mapping.loose_value_type or ANY
        for key_node, value in node.pairs:
            if self.expression_key(key_node, value, value_type, scope, where):
                continue
            key = display_string(key_node.value)
            if self.duplicate(key_node, key, seen, where):
                continue
            key_node.value = key
            if not self.accept_scalar(key_node, key_type):
                self.report.error(
                    key_node, "schema-type", f"keys {inside(where)} must not be empty"
                )
            self.read_value(value, value_type, scope, where.child(key))

    def expression_key(
        self, key: ScalarNode, value: Node, value_type: str, scope: Scope, where: Where
    ) -> bool:
        """A key holding `${{ }}`: allowed where the mapping allows expressions."""
        if not (isinstance(key.value, str) and OPEN in key.value):
            return False
        if scope.allows_expressions:
            self.expressions.check_template(key, key.value, scope, where)
            self.read_value(value, value_type, scope, where.child(key.value))
        else:
            self.report.error(
                key,
                "expression-not-allowed",
                f"expressions are not allowed in keys {inside(where)}",
            )
        return True

    def duplicate(self, node: ScalarNode, key: str, seen: dict[str, str], where: Where) -> bool:
        folded = key.upper()
        first = seen.get(folded)
        if first is None:
            seen[folded] = key
            return False
        detail = "" if first == key else f" as '{first}' (keys are case-insensitive)"
        self.report.error(
            node, "duplicate-key", f"'{key}' is already defined {inside(where)}{detail}"
        )
        return True

    def type_error(self, node: Node, name: str, where: Where) -> None:
        phrase, constants = expected(self.schema, name)
        if constants and isinstance(node, ScalarNode) and isinstance(node.value, str):
            hint = suggestion(node.value, constants) or _listed(constants)
            if len(constants) > 1 or hint:
                message = f"unknown value '{node.value}' for {where.render()}{hint}"
                self.report.error(node, "unknown-value", message)
                return
        message = f"{where.render()} must be {phrase}, not {describe(node)}"
        self.report.error(node, "schema-type", message)


class _KnownKeys:
    """One mapping read against its candidate definitions (GitHub's well-known properties)."""

    def __init__(
        self,
        reader: TemplateReader,
        node: MappingNode,
        candidates: list[Definition],
        scope: Scope,
        where: Where,
    ) -> None:
        self.reader, self.node, self.scope, self.where = reader, node, scope, where
        self.candidates = candidates
        self.original = tuple(candidates)
        self.seen: dict[str, str] = {}
        self.expression_keys = False

    def read(self) -> None:
        loose = self.candidates[0]
        for key_node, value in self.node.pairs:
            loose_value = loose.loose_value_type or ANY
            if self.reader.expression_key(key_node, value, loose_value, self.scope, self.where):
                self.expression_keys = True
                continue
            key = display_string(key_node.value)
            if self.reader.duplicate(key_node, key, self.seen, self.where):
                continue
            key_node.value = key
            self.read_pair(key_node, key, value, loose)
        self.finish()

    def read_pair(self, key_node: ScalarNode, key: str, value: Node, loose: Definition) -> None:
        where = self.where.child(key)
        found = self.match(key)
        if found is not None:
            self.warn_tolerated(key_node, key, value)
            self.reader.read_value(value, found.type, self.scope, where)
        elif loose.loose_key_type:
            self.reader.accept_scalar(key_node, loose.loose_key_type)
            self.reader.read_value(value, loose.loose_value_type or ANY, self.scope, where)
        else:
            self.unknown(key_node, key)

    def match(self, key: str) -> Property | None:
        found = None
        for definition in self.candidates:
            found = definition.properties.get(key, found)
        if found is not None:
            self.candidates[:] = [d for d in self.candidates if key in d.properties]
        return found

    def warn_tolerated(self, key_node: ScalarNode, key: str, value: Node) -> None:
        tolerated = TOLERATED.get(key)
        if not tolerated or not any(d.name in tolerated[0] for d in self.candidates):
            return
        if isinstance(value, ScalarNode) and _same_any(value.value, tolerated[1]):
            return
        message = f"'{key}' {inside(self.where)}: {tolerated[2]}"
        self.reader.report.warning(key_node, "unsupported-key", message)

    def unknown(self, key_node: ScalarNode, key: str) -> None:
        report = self.reader.report
        holders = [d for d in self.original if key in d.properties]
        other = next((k for k in self.seen.values() if self.conflicts(holders, k)), None)
        if holders and other is not None:
            if self.is_step and {key, other} <= {"run", "uses"}:
                report.error(key_node, "step-run-uses", "a step cannot have both 'run' and 'uses'")
                return
            message = f"'{key}' cannot be used together with '{other}' {inside(self.where)}"
            report.error(key_node, "key-conflict", message)
            return
        known = {k for d in self.candidates for k in d.properties}
        message = f"unknown key '{key}' {inside(self.where)}{suggestion(key, known)}"
        if all(d.name in IGNORED_UNKNOWN_KEYS for d in self.original):
            report.warning(key_node, "unknown-key", f"{message}: GitHub ignores it")
        else:
            report.error(key_node, "unknown-key", message)

    def conflicts(self, holders: list[Definition], other: str) -> bool:
        """`other` (a key already read) is known, but to no definition holding the new key."""
        known = any(other in d.properties for d in self.original)
        return known and not any(other in d.properties for d in holders)

    @property
    def is_step(self) -> bool:
        return all(d.name in STEP_KINDS for d in self.original)

    def finish(self) -> None:
        report, where = self.reader.report, self.where.render()
        if len(self.candidates) > 1:
            if self.is_step:
                report.error(self.node, "step-run-uses", f"{where} must have 'run' or 'uses'")
            elif all(d.name in JOB_KINDS for d in self.original):
                message = f"{where} must have 'runs-on' (or 'uses' to call a reusable workflow)"
                report.error(self.node, "missing-key", message)
            else:
                keys = sorted({k for d in self.candidates for k in d.properties})
                message = f"{where} needs one of these keys: {', '.join(keys)}"
                report.error(self.node, "missing-key", message)
        elif not self.expression_keys:
            self.check_required(self.candidates[0])

    def check_required(self, definition: Definition) -> None:
        report = self.reader.report
        for key, prop in definition.properties.items():
            if not prop.required or key.upper() in self.seen:
                continue
            message = f"missing required key '{key}' {inside(self.where)}"
            lenient = LENIENT_REQUIRED.get((definition.name, key))
            if lenient:
                report.warning(self.node, "missing-key", f"{message}: {lenient}")
            else:
                report.error(self.node, "missing-key", message)


def _same_any(value: object, harmless: tuple[object, ...]) -> bool:
    """`value` is one of `harmless` (booleans compared as booleans, not as 0/1)."""
    return any(type(value) is type(h) and value == h for h in harmless)


def _listed(constants: list[str]) -> str:
    if len(constants) > 8:
        return ""
    return " (expected " + ", ".join(f"'{c}'" for c in constants) + ")"
