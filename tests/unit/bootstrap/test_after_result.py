"""Cleanup after a command's result: at once in a process of its own; kept for later (after
the client has the exit status) in the daemon's child, each piece run even if one fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conveyor.bootstrap import after_result


@pytest.fixture(autouse=True)
def _now_again() -> Iterator[None]:
    yield
    after_result.reset()


def test_without_deferral_the_work_runs_at_once() -> None:
    done: list[str] = []
    after_result.after_result(lambda: done.append("pool"))
    assert done == ["pool"]


def test_deferred_work_waits_for_finish_and_runs_in_order() -> None:
    done: list[str] = []
    after_result.defer()
    after_result.after_result(lambda: done.append("store"))
    after_result.after_result(lambda: done.append("pool"))
    assert done == []
    after_result.finish()
    assert done == ["store", "pool"]
    after_result.finish()  # nothing twice
    assert done == ["store", "pool"]


def test_a_failing_piece_does_not_stop_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    done: list[str] = []

    def broken() -> None:
        raise OSError("disk gone")

    after_result.defer()
    after_result.after_result(broken)
    after_result.after_result(lambda: done.append("pool"))
    after_result.finish()
    assert done == ["pool"]
    assert "disk gone" in capsys.readouterr().err
