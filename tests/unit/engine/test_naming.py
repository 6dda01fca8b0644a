"""Job names of matrix legs (reference §5.5)."""

from __future__ import annotations

from conveyor.engine.naming import display_name, name_segments, unique_keys, with_suffix


def test_segments_are_scalar_leaves_without_nulls_or_empty_strings() -> None:
    values = (14, "ubuntu", {"os": "linux", "flags": ["-a", ""]}, None, True, 3.0)
    assert name_segments(values) == ("14", "ubuntu", "linux", "-a", "true", "3")


def test_suffix_and_truncation() -> None:
    assert with_suffix("build", ("14", "ubuntu")) == "build (14, ubuntu)"
    assert with_suffix("build", ()) == "build"
    long = with_suffix("b", ("x" * 200,))
    assert len(long) == 100
    assert long.endswith("...")


def test_a_name_with_an_expression_gets_no_suffix() -> None:
    assert display_name(
        "PHP ubuntu 4", ("ubuntu", "4"), is_matrix=True, name_is_expression=True
    ) == ("PHP ubuntu 4")
    assert (
        display_name("test", ("3.11",), is_matrix=True, name_is_expression=False) == "test (3.11)"
    )
    assert display_name("test", (), is_matrix=False, name_is_expression=False) == "test"


def test_duplicate_keys_are_numbered() -> None:
    assert unique_keys(["a (1)", "a (1)", "b"]) == ("a (1)", "a (1) #2", "b")
