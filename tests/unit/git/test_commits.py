"""Parsing `git log -z` records."""

from __future__ import annotations

from conveyor.git.commits import parse_log

RECORD = "\x1f".join(
    [
        "a" * 40,
        "t" * 40,
        "p1 p2",
        "Jane",
        "jane@example.com",
        "2024-01-01T00:00:00+01:00",
        "Bot",
        "bot@example.com",
        "2024-01-02T00:00:00Z",
        "Subject line\n\nBody line 1\nBody line 2\n",
    ]
)


def test_parse_log_reads_every_field() -> None:
    (commit,) = parse_log(RECORD + "\0")
    assert commit.sha == "a" * 40
    assert commit.parents == ("p1", "p2")
    assert (commit.author.name, commit.author.email) == ("Jane", "jane@example.com")
    assert commit.committer.date == "2024-01-02T00:00:00Z"
    assert commit.subject == "Subject line"
    assert commit.body == "Body line 1\nBody line 2"


def test_parse_log_handles_several_records_and_root_commits() -> None:
    root = RECORD.replace("p1 p2", "")
    commits = parse_log(RECORD + "\0\n" + root + "\0")
    assert [c.parents for c in commits] == [("p1", "p2"), ()]
    assert parse_log("") == []
