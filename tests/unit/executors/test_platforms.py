"""Which runs-on labels a host cannot run, and `--platform LABEL=host`."""

from __future__ import annotations

import pytest

from conveyor.executors.local.platforms import label_system, unavailable_reason


@pytest.mark.parametrize(
    ("label", "system"),
    [
        ("windows-latest", "Windows"),
        ("windows-2022", "Windows"),
        ("Windows", "Windows"),
        ("macos-14-xlarge", "macOS"),
        ("macOS", "macOS"),
        ("ubuntu-latest", None),
        ("self-hosted", None),
        ("windowsish", None),
    ],
)
def test_label_system(label: str, system: str | None) -> None:
    assert label_system(label) == system


def test_a_foreign_label_in_a_label_set_is_unavailable() -> None:
    reason = unavailable_reason(("self-hosted", "macOS"), system="Linux")
    assert reason is not None
    assert "macOS" in reason
    assert "--platform macOS=host" in reason
    assert unavailable_reason(("macos-14",), system="macOS") is None
    assert unavailable_reason(("ubuntu-latest",), system="Linux") is None


def test_a_label_mapped_to_the_host_runs() -> None:
    assert unavailable_reason(("windows-latest",), ("Windows-Latest",), system="Linux") is None
