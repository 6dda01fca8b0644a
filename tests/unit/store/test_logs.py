from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.engine.ports.store import LogKey, LogStore
from conveyor.store.fake import FakeLogStore
from conveyor.store.logs import FileLogStore

KEY = LogKey(1, 1, "test (3.11, ubuntu-latest)", 0)


@pytest.fixture(params=["file", "fake"])
def logs(request: pytest.FixtureRequest, tmp_path: Path) -> LogStore:
    return FileLogStore(tmp_path, max_bytes=64) if request.param == "file" else FakeLogStore(64)


def test_appends_are_read_back_by_offset_range(logs: LogStore) -> None:
    assert logs.append(KEY, "one\n") == 4
    assert logs.append(KEY, "two\n") == 8
    whole = logs.read(KEY)
    assert (whole.text, whole.offset, whole.next_offset, whole.truncated) == (
        "one\ntwo\n",
        0,
        8,
        False,
    )
    tail = logs.read(KEY, whole.next_offset)
    assert (tail.text, tail.next_offset) == ("", 8)
    part = logs.read(KEY, 4, limit=2)
    assert (part.text, part.next_offset) == ("tw", 6)


def test_a_step_over_the_cap_ends_with_one_truncation_marker(logs: LogStore) -> None:
    for number in range(20):
        logs.append(KEY, f"line {number}\n")
    chunk = logs.read(KEY)
    assert chunk.truncated
    assert chunk.text.startswith("line 0\n")
    assert chunk.text.count("log truncated") == 1
    assert "line 19" not in chunk.text
    other = LogKey(1, 1, KEY.instance_key, 1)  # the cap is per step
    logs.append(other, "fine\n")
    assert not logs.read(other).truncated


def test_keys_list_job_log_then_steps_in_order(logs: LogStore) -> None:
    job = KEY.instance_key
    for step in (10, 2, None):
        logs.append(LogKey(1, 1, job, step), "x\n")
    logs.append(LogKey(1, 1, "other", 0), "y\n")
    logs.append(LogKey(1, 2, job, 0), "z\n")
    assert [k.step for k in logs.keys(1, 1, job)] == [None, 2, 10]
    assert {k.instance_key for k in logs.keys(1, 1)} == {job, "other"}


def test_reading_never_splits_a_character(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path)
    logs.append(KEY, "é\n")  # two bytes
    first = logs.read(KEY, 0, limit=1)
    assert (first.text, first.next_offset) == ("", 0)
    assert logs.read(KEY, 0, limit=2).text == "é"


def test_log_files_are_private_and_survive_reopening(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path, max_bytes=32)
    logs.append(KEY, "x" * 40 + "\n")
    logs.close_all()
    path = logs.path(KEY)
    assert path.stat().st_mode & 0o777 == 0o600
    reopened = FileLogStore(tmp_path, max_bytes=32)
    reopened.append(KEY, "EXTRA\n")  # still truncated: nothing more is written
    assert reopened.read(KEY).truncated
    assert "EXTRA" not in reopened.read(KEY).text


def test_long_job_keys_get_a_short_directory_and_keep_their_name(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path)
    key = LogKey(3, 1, "matrix (" + "x" * 300 + ")", None)
    logs.append(key, "hi\n")
    assert len(logs.path(key).parent.name) < 120
    assert logs.keys(3, 1) == [key]
    assert logs.read(key).text == "hi\n"


def _files_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_a_jobs_steps_share_one_log_file_with_an_index(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path)
    for step in range(50):
        logs.append(LogKey(1, 1, "build", step), f"step {step}\n")
        logs.close(LogKey(1, 1, "build", step))
    logs.append(LogKey(1, 1, "build"), "Set up job\n")
    directory = logs.job_dir(1, 1, "build")
    assert _files_in(directory) == ["job.log", "steps.idx", "steps.log"]
    for name in _files_in(directory):
        assert (directory / name).stat().st_mode & 0o777 == 0o600
    assert [k.step for k in logs.keys(1, 1, "build")] == [None, *range(50)]
    assert logs.read(LogKey(1, 1, "build", 42)).text == "step 42\n"


def test_interleaved_steps_are_read_back_apart_by_offset(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path)
    first, second = LogKey(1, 1, "build", 0), LogKey(1, 1, "build", 1)
    assert logs.append(first, "a1\n") == 3
    assert logs.append(second, "b1\n") == 3
    assert logs.append(first, "a2\n") == 6
    logs.close_all()
    reader = FileLogStore(tmp_path)  # another process, e.g. `conveyor logs --follow`
    assert reader.read(first).text == "a1\na2\n"
    assert reader.read(second).text == "b1\n"
    across = reader.read(first, 1, limit=4)  # across the two segments of step 0
    assert (across.text, across.next_offset) == ("1\na2", 5)
    assert reader.read(first, 6).text == ""
    assert reader.append(first, "a3\n") == 9  # reopened: sizes come from the index
    assert reader.read(first, 6).text == "a3\n"


def test_a_killed_runs_unindexed_bytes_and_torn_index_line_are_ignored(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path)
    key = LogKey(1, 1, "build", 0)
    logs.append(key, "kept\n")
    logs.close_all()
    directory = logs.job_dir(1, 1, "build")
    with (directory / "steps.log").open("ab") as data:
        data.write(b"written, never indexed\n")
    with (directory / "steps.idx").open("ab") as index:
        index.write(b"0 5 2")  # a line cut short by a full disk
    assert FileLogStore(tmp_path).read(key).text == "kept\n"
    resumed = FileLogStore(tmp_path)
    resumed.append(key, "more\n")
    assert resumed.read(key).text == "kept\nmore\n"
    assert FileLogStore(tmp_path).read(key).text == "kept\nmore\n"


def test_logs_of_older_runs_in_one_file_per_step_are_still_read(tmp_path: Path) -> None:
    logs = FileLogStore(tmp_path)
    directory = logs.job_dir(1, 1, "build")
    directory.mkdir(parents=True)
    (directory / "job.log").write_text("Set up job\n")
    (directory / "step-000.log").write_text("old one\n")
    (directory / "step-002.log").write_text("old three\n")
    assert [k.step for k in logs.keys(1, 1, "build")] == [None, 0, 2]
    assert logs.read(LogKey(1, 1, "build", 2)).text == "old three\n"
    assert logs.read(LogKey(1, 1, "build", 0), 4).text == "one\n"
