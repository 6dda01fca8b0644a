"""act's offline test corpus, as bench_engine.py replays it with both conveyor and act.

expected.json records, for every case that runs offline, the act command line act 0.2.89 was
run with in host mode (`observed_act_0_2_89_host_mode[].args`, with `-C <root>` naming one of
workflows/, workflows-partial/ or model-workflows/). act gets that command line as recorded
(the root replaced by a git repository holding a copy of it); conveyor gets the same case the way
tests/integration/test_act_corpus.py runs it: `run REPO -W <path> -e <event> --env ACT=true`
plus the recorded secrets, inputs, files, matrix filter and job, in the repository, SHELL unset.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOTS = ("workflows", "workflows-partial", "model-workflows")
# act option → conveyor option, for the options whose value is kept as is.
RENAMED = {
    "-s": "--secret",
    "--secret": "--secret",
    "-e": "--eventpath",
    "--eventpath": "--eventpath",
    "--secret-file": "--secret-file",
    "--env-file": "--env-file",
    "--input": "--input",
    "--matrix": "--matrix",
    "-j": "-j",
    "--job": "-j",
}
DROPPED_WITH_VALUE = {"-P", "--platform", "-C", "--directory"}
DROPPED = {"--no-recurse"}


@dataclass(frozen=True)
class CorpusCase:
    key: str
    root: str
    act_args: tuple[str, ...]  # act's recorded arguments (its -P platforms too), without -C ROOT
    conveyor_args: tuple[str, ...]  # `conveyor run` arguments after the repository
    expected: str  # success | failure, as act 0.2.89 ended in host mode

    @property
    def expected_exit(self) -> int:
        return 0 if self.expected == "success" else 1


def load_cases(corpus: Path) -> list[CorpusCase]:
    data = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    cases: list[CorpusCase] = []
    for key, entry in data.items():
        if key == "_meta" or entry.get("runnable_offline") not in ("yes", "partial"):
            continue
        for observed in entry.get("observed_act_0_2_89_host_mode") or []:
            cases.append(_case(key, observed))
    return cases


def _case(key: str, observed: dict[str, str]) -> CorpusCase:
    words = shlex.split(observed["args"])
    event, root = words[0], words[words.index("-C") + 1]
    act_args = [event, *_without(words[1:], {"-C", "--directory"}, set())]
    conveyor_event = "push" if event.startswith("(") else event
    converted = ["-e", conveyor_event, "--env", "ACT=true", *_converted(words[1:])]
    return CorpusCase(key, root, tuple(act_args), tuple(converted), observed["result"])


def _without(words: list[str], with_value: set[str], alone: set[str]) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(words):
        if words[index] in with_value:
            index += 2
            continue
        if words[index] not in alone:
            kept.append(words[index])
        index += 1
    return kept


def _converted(words: list[str]) -> list[str]:
    """act's options after the event as conveyor's (`-W` is the same in both)."""
    converted: list[str] = []
    rest = _without(words, DROPPED_WITH_VALUE, DROPPED)
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "-W":
            converted += ["-W", rest[index + 1]]
        elif word in RENAMED:
            converted += [RENAMED[word], rest[index + 1]]
        else:
            raise ValueError(f"act option {word!r} has no conveyor equivalent here")
        index += 2
    return converted


def make_repositories(corpus: Path, scratch: Path) -> dict[str, Path]:
    """Each corpus root copied and committed to its own git repository, as act's tests have it:
    remote nektos/act, user nektos/act."""
    repositories: dict[str, Path] = {}
    for root in ROOTS:
        target = scratch / root
        shutil.copytree(corpus / root, target)
        for path in [target, *target.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        _git(target, "init", "-q", "-b", "main")
        _git(target, "config", "user.name", "nektos/act")
        _git(target, "config", "user.email", "act@example.com")
        _git(target, "remote", "add", "origin", "https://github.com/nektos/act.git")
        _git(target, "add", "-A")
        _git(target, "commit", "-qm", "corpus")
        repositories[root] = target
    return repositories


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)
