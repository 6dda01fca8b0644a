"""The YAML layer: YAML 1.2 scalars, positions, and every YAML problem as a diagnostic."""

from __future__ import annotations

import math

import pytest

from conveyor.workflow import yaml_reader
from conveyor.workflow.yaml_nodes import MappingNode, ScalarNode, display_string, to_plain
from conveyor.workflow.yaml_reader import read_yaml


def plain(text: str) -> object:
    document = read_yaml(text, "w.yml")
    assert document.diagnostics == ()
    assert document.root is not None
    return to_plain(document.root)


def rendered(text: str) -> list[str]:
    return [d.render() for d in read_yaml(text, "w.yml").diagnostics]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("on", "on"),
        ("yes", "yes"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("FALSE", False),
        ("tRue", "tRue"),
        ("~", None),
        ("null", None),
        ("", None),
        ("010", 10),
        ("0o17", 15),
        ("0x1F", 31),
        ("-3", -3),
        ("3.10", 3.1),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("1_000", "1_000"),
        ("'true'", "true"),
        ('"3.10"', "3.10"),
        ("!!str 12", "12"),
        ("!!int 12", 12),
        ("! 12", "12"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(source: str, value: object) -> None:
    assert plain(f"key: {source}\n") == {"key": value}


def test_special_floats() -> None:
    result = plain("a: .inf\nb: -.Inf\nc: .NaN\n")
    assert isinstance(result, dict)
    assert result["a"] == math.inf
    assert result["b"] == -math.inf
    assert math.isnan(result["c"])


def test_numbers_render_as_github_renders_them() -> None:
    assert [display_string(v) for v in (3.1, 1000.0, 1e20, True, None, 7)] == [
        "3.1",
        "1000",
        "1E+20",
        "true",
        "",
        "7",
    ]


def test_every_node_knows_its_line_and_column() -> None:
    document = read_yaml("on: push\njobs:\n  build:\n    runs-on: [a, 'b']\n", "w.yml")
    root = document.root
    assert isinstance(root, MappingNode)
    jobs = root.get("jobs")
    assert isinstance(jobs, MappingNode)
    key, build = jobs.pairs[0]
    assert (key.line, key.column) == (3, 3)
    assert isinstance(build, MappingNode)
    runs_on_key, runs_on = build.pairs[0]
    assert (runs_on_key.line, runs_on_key.column, runs_on.line, runs_on.column) == (4, 5, 4, 14)


def test_non_ascii_text_keeps_character_columns() -> None:
    root = read_yaml("é: 1\nkey: 'ü' # ü\nx: 2\n", "w.yml").root
    assert isinstance(root, MappingNode)
    assert [(k.line, k.column, v.column) for k, v in root.pairs] == [
        (1, 1, 4),
        (2, 1, 6),
        (3, 1, 4),
    ]


def test_anchors_and_aliases_are_resolved() -> None:
    assert plain("a: &x {k: [1, 2]}\nb: *x\n") == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}}


def test_merge_keys_are_an_error_and_dropped() -> None:
    document = read_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "w.yml")
    assert [d.render() for d in document.diagnostics] == [
        "w.yml:3:3: error[yaml-merge-key]:"
        " YAML merge keys ('<<') are not supported by GitHub Actions"
    ]
    assert document.root is not None
    assert to_plain(document.root) == {"base": {"x": 1}, "other": {"y": 2}}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert plain("'<<': 1\n") == {"<<": 1}


def test_syntax_error_points_at_the_problem() -> None:
    (message,) = rendered("a: b: c\n")
    prefix = "w.yml:1:5: error[yaml-syntax]: invalid YAML: mapping values are not allowed"
    assert message.startswith(prefix)


def test_syntax_error_mentions_where_the_construct_started() -> None:
    (message,) = rendered("a: [1, 2\nb: 3\n")
    assert message.startswith("w.yml:2:2: error[yaml-syntax]: invalid YAML: ")
    assert "started at line 1, column 4" in message


def test_control_characters_are_reported_at_their_position() -> None:
    (message,) = rendered("a: 1\nb: x\x00y\n")
    assert message.startswith("w.yml:2:5: error[yaml-syntax]: invalid YAML: unacceptable character")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: *nope\n", "w.yml:1:4: error[yaml-alias]: undefined alias '*nope'"),
        ("a: &a [*a]\n", "w.yml:1:8: error[yaml-alias]: alias '*a' refers to a node that holds it"),
        (
            "a: 1\n---\nb: 2\n",
            "w.yml:2:1: error[yaml-syntax]: a workflow file holds one YAML document",
        ),
        (
            "? [a]\n: 1\n",
            "w.yml:1:3: error[yaml-syntax]:"
            " a mapping key must be a scalar, not a sequence or a mapping",
        ),
        ("a: !!int x\n", "w.yml:1:4: error[yaml-tag]: unsupported YAML tag '!!int' for value 'x'"),
        (
            "a: !custom x\n",
            "w.yml:1:4: error[yaml-tag]: unsupported YAML tag '!custom' for value 'x'",
        ),
    ],
)
def test_structural_problems(text: str, expected: str) -> None:
    assert rendered(text) == [expected]


def test_deep_nesting_stops_at_githubs_limit() -> None:
    document = read_yaml("[" * 10_000 + "]" * 10_000, "w.yml")
    assert document.root is None
    assert [d.render() for d in document.diagnostics] == [
        "w.yml:1:51: error[yaml-too-deep]: the YAML is nested deeper than 50 levels"
    ]


def test_fifty_levels_are_fine() -> None:
    assert read_yaml("[" * 50 + "]" * 50, "w.yml").diagnostics == ()


def test_alias_bomb_is_stopped_while_composing() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 9):
        previous, current = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 10) + "]")
    document = read_yaml("\n".join(lines) + "\n", "w.yml")
    assert document.root is None
    (diagnostic,) = document.diagnostics
    assert diagnostic.code == "yaml-too-large"


def test_empty_and_comment_only_documents_have_no_root() -> None:
    for text in ("", "# only a comment\n", "\n\n"):
        document = read_yaml(text, "w.yml")
        assert document.root is None
        assert document.diagnostics == ()


def test_pure_python_parser_gives_the_same_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "on: push\njobs:\n  a: {runs-on: x, steps: [{run: 'echo 1'}]}\nv: 3.10\n"
    expected = plain(text)
    monkeypatch.setattr(yaml_reader, "_c_parser", lambda: None)
    assert plain(text) == expected
    (message,) = rendered("a: b: c\n")
    assert message.startswith("w.yml:1:5: error[yaml-syntax]: invalid YAML: mapping values")


def test_keys_are_scalar_nodes_with_their_resolved_value() -> None:
    root = read_yaml("3.10: a\ntrue: b\n", "w.yml").root
    assert isinstance(root, MappingNode)
    assert [k.value for k, _ in root.pairs] == [3.1, True]
    assert all(isinstance(k, ScalarNode) for k, _ in root.pairs)
