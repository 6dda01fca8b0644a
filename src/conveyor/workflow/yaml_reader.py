"""Text → `yaml_nodes` tree, with every YAML problem turned into a diagnostic.

The tree is composed here from ruamel.yaml's parser events (its C parser when installed, else the
pure-Python one), without recursion, so hostile input ends in a diagnostic: too deep nesting, alias
bombs (the expanded size is counted as aliases are met), recursive aliases, undefined aliases,
several documents, merge keys (`<<`, which GitHub rejects), unsupported tags and core tags on
scalars that are not plain (`!!int "300"`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from conveyor.errors import Diagnostic, SourceLocation, error
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode
from conveyor.workflow.yaml_scalars import resolve_plain, resolve_tagged, style_mismatch

MAX_DEPTH = 50  # GitHub's template reader refuses deeper documents
MAX_NODES = 100_000  # after alias expansion; real workflows have a few thousand


@dataclass(frozen=True, slots=True)
class YamlDocument:
    root: Node | None
    diagnostics: tuple[Diagnostic, ...]


class _Abort(Exception):
    """Stops composing: the diagnostic is already recorded."""


@dataclass(slots=True)
class _Frame:
    node: SequenceNode | MappingNode
    start_total: int
    key: ScalarNode | None = None
    drop_value: bool = False


def read_yaml(text: str, path: str) -> YamlDocument:
    composer = _Composer(path)
    handlers = _HANDLERS
    try:
        for event in _events(text):
            handler = handlers.get(type(event))
            if handler is not None:
                handler(composer, event)
    except _Abort:
        pass
    except Exception as exc:  # the parser library's edge: its errors become diagnostics
        composer.add(_parser_error(exc, text, path))
    root = None if composer.fatal else composer.root
    return YamlDocument(root, tuple(composer.diagnostics))


def _events(text: str) -> Iterator[Any]:
    parser_class = _c_parser()
    if parser_class is None:
        from ruamel.yaml import YAML

        yield from YAML(typ="safe", pure=True).parse(text)
        return
    parser = parser_class(text)
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            if type(event) is StreamEndEvent:
                return
            yield event
    finally:
        parser.dispose()


def _c_parser() -> Callable[[str], Any] | None:
    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    except ImportError:
        return None
    return CParser  # type: ignore[no-any-return]


class _Composer:
    def __init__(self, path: str) -> None:
        self.path = path
        self.root: Node | None = None
        self.diagnostics: list[Diagnostic] = []
        self.fatal = False
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()
        self.total = 0
        self.documents = 0

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)
        self.fatal = True

    def fail(self, mark: Any, code: str, message: str) -> None:
        self.add(error(self.location(mark), code, message))
        raise _Abort

    def location(self, mark: Any) -> SourceLocation:
        return SourceLocation(self.path, mark.line + 1, mark.column + 1)

    def on_document(self, event: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            self.fail(event.start_mark, "yaml-syntax", "a workflow file holds one YAML document")

    def on_scalar(self, event: Any) -> None:
        mark = event.start_mark
        style = event.style
        if event.tag is not None:
            value = self.tagged_value(event)
        else:
            value = event.value if style else resolve_plain(event.value)
        node = ScalarNode(value, mark.line + 1, mark.column + 1, style or "")
        self.count(1, mark)
        if event.anchor:
            self.anchors[event.anchor] = node
        self.attach(node, mark)

    def tagged_value(self, event: Any) -> object:
        tag = str(getattr(event.tag, "value", event.tag))
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        value, supported = resolve_tagged(event.value, tag)
        message = None
        if not supported:
            message = f"unsupported YAML tag '{shown}' for value '{event.value}'"
        elif event.style and shown not in ("!", "!!str"):
            message = style_mismatch(shown, event.style, event.value)
        if message:
            self.diagnostics.append(error(self.location(event.start_mark), "yaml-tag", message))
        return value

    def on_collection_start(self, event: Any) -> None:
        mark = event.start_mark
        node: SequenceNode | MappingNode
        if type(event) is SequenceStartEvent:
            node = SequenceNode([], mark.line + 1, mark.column + 1)
        else:
            node = MappingNode([], mark.line + 1, mark.column + 1)
        self.count(1, mark)
        self.register(event, node)
        self.attach(node, mark)
        if len(self.stack) >= MAX_DEPTH:
            self.fail(mark, "yaml-too-deep", f"the YAML is nested deeper than {MAX_DEPTH} levels")
        self.open.add(id(node))
        self.stack.append(_Frame(node, self.total - 1))

    def on_collection_end(self, event: Any) -> None:
        frame = self.stack.pop()
        self.open.discard(id(frame.node))
        self.sizes[id(frame.node)] = self.total - frame.start_total

    def on_alias(self, event: Any) -> None:
        mark = event.start_mark
        target = self.anchors.get(event.anchor)
        if target is None:
            self.fail(mark, "yaml-alias", f"undefined alias '*{event.anchor}'")
        elif id(target) in self.open:
            self.fail(mark, "yaml-alias", f"alias '*{event.anchor}' refers to a node that holds it")
        else:
            self.count(self.sizes.get(id(target), 1), mark)
            self.attach(target, mark)

    def count(self, size: int, mark: Any) -> None:
        self.total += size
        if self.total > MAX_NODES:
            message = f"the YAML expands to more than {MAX_NODES} nodes (alias bomb?)"
            self.fail(mark, "yaml-too-large", message)

    def register(self, event: Any, node: Node) -> None:
        if event.anchor:
            self.anchors[event.anchor] = node

    def attach(self, node: Node, mark: Any) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        if isinstance(frame.node, SequenceNode):
            frame.node.items.append(node)
        elif frame.key is None and not frame.drop_value:
            self.take_key(frame, node, mark)
        else:
            if not frame.drop_value and frame.key is not None:
                frame.node.pairs.append((frame.key, node))
            frame.key, frame.drop_value = None, False

    def take_key(self, frame: _Frame, node: Node, mark: Any) -> None:
        if not isinstance(node, ScalarNode):
            message = "a mapping key must be a scalar, not a sequence or a mapping"
            self.add(error(self.location(mark), "yaml-syntax", message))
            frame.drop_value = True
        elif node.value == "<<" and not node.style:
            message = "YAML merge keys ('<<') are not supported by GitHub Actions"
            self.diagnostics.append(error(self.location(mark), "yaml-merge-key", message))
            frame.drop_value = True
        else:
            frame.key = node


_HANDLERS: dict[type, Callable[[_Composer, Any], None]] = {
    DocumentStartEvent: _Composer.on_document,
    ScalarEvent: _Composer.on_scalar,
    SequenceStartEvent: _Composer.on_collection_start,
    MappingStartEvent: _Composer.on_collection_start,
    SequenceEndEvent: _Composer.on_collection_end,
    MappingEndEvent: _Composer.on_collection_end,
    AliasEvent: _Composer.on_alias,
}


def _parser_error(exc: Exception, text: str, path: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        message = f"invalid YAML: {_describe_marked(exc)}"
        return error(SourceLocation(path, mark.line + 1, mark.column + 1), "yaml-syntax", message)
    position = getattr(exc, "position", None)
    line, column = _line_column(text, position if isinstance(position, int) else 0)
    reason = str(exc).split("\n")[0] or type(exc).__name__
    code = "yaml-too-deep" if isinstance(exc, RecursionError) else "yaml-syntax"
    return error(SourceLocation(path, line, column), code, f"invalid YAML: {reason}")


def _describe_marked(exc: Exception) -> str:
    problem = str(getattr(exc, "problem", "") or exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        where = f"line {context_mark.line + 1}, column {context_mark.column + 1}"
        return f"{problem} ({context} started at {where})"
    if context:
        return f"{problem} ({context})"
    return problem


def _line_column(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
