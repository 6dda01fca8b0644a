"""The cases of ../shared/act-corpus/expected.json that run offline, and what act records about
each: the expected result, the error message of act's Go table, and what its logs must show.

expected.json's format is described in its `_meta` entry (and act-corpus/README.md): `expect` is
success | failure | unknown; `error` is the message of act's table (`error_match` says whether act
compares it); `cases` are the rows of act's test tables (secrets, inputs, files, matrix filter,
`log_expect`, `log_must_not_contain`); `planner` rows carry `log_contains`. For "unknown" cases
(no Go table references them) the result act 0.2.89 gave in host mode is the expectation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path("act-corpus")  # in ../shared
ROOTS = ("workflows", "workflows-partial", "model-workflows")
# act's message for a job that failed: compared with that job's conclusion.
JOB_FAILED = re.compile(r"^[Jj]ob '(?P<job>[^']+)' failed$")


@dataclass(frozen=True)
class Case:
    key: str
    root: str  # workflows | workflows-partial | model-workflows
    path: str  # the -W path relative to the root
    event: str
    expect: str  # success | failure
    job: str | None = None
    args: tuple[str, ...] = field(default=())
    errors: tuple[str, ...] = ()  # act's error messages for this case (table and planner logs)
    log_expect: tuple[tuple[str, str], ...] = ()  # act's {"first stepResult"/"jobResult": …}
    hidden: tuple[str, ...] = ()  # what the log must not contain

    @property
    def id(self) -> str:
        return self.key + (f"[-j {self.job}]" if self.job else "")


def load_cases(shared: Path) -> list[Case]:
    corpus = shared / CORPUS
    data = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    cases: list[Case] = []
    for key, entry in data.items():
        if key != "_meta" and entry.get("runnable_offline") in ("yes", "partial"):
            cases += _cases_of(corpus, key, entry)
    return cases


def _cases_of(corpus: Path, key: str, entry: dict[str, Any]) -> list[Case]:
    root, _, path = str(entry["corpus_path"]).partition("/")
    event = str(entry["event"]) if not str(entry["event"]).startswith("(") else "push"
    case_dir = path if (corpus / root / path).is_dir() else str(Path(path).parent)
    expect = _expected(entry)
    base = Case(
        key,
        root,
        path,
        event,
        expect,
        args=tuple(_args(entry, case_dir)),
        errors=_errors(entry) if expect == "failure" else (),
        log_expect=_log_expect(entry),
        hidden=tuple(text for row in _rows(entry) for text in row.get("log_must_not_contain", [])),
    )
    jobs = entry.get("offline_jobs") if entry["runnable_offline"] == "partial" else None
    return [Case(**{**base.__dict__, "job": job}) for job in jobs or [None]]


def _rows(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """act's table rows for the case, without those of other platforms' failure modes (a row
    whose expectation differs from the case's, e.g. checkout's docker pull failure)."""
    rows: list[dict[str, Any]] = entry.get("cases", [])
    return [row for row in rows if row.get("expect", entry.get("expect")) == _expected(entry)]


def _expected(entry: dict[str, Any]) -> str:
    expect = str(entry.get("expect"))
    if expect in ("success", "failure"):
        return expect
    observed = entry.get("observed_act_0_2_89_host_mode") or [{}]
    return str(observed[0].get("result"))


def _errors(entry: dict[str, Any]) -> tuple[str, ...]:
    """The error messages act records for a failing case: its table's, those its planner rows
    expect in the log ("(some error)" records only that there is one), and for a case no table
    references, the error act 0.2.89 printed."""
    found = [entry.get("error")] + [row.get("error") for row in _rows(entry)]
    for row in entry.get("planner", []):
        found += [row.get("error"), *(row.get("log_contains") or [])]
    if entry.get("expect") == "unknown":
        observed = entry.get("observed_act_0_2_89_host_mode") or [{}]
        found += [str(row.get("last_error_line") or "").removeprefix("Error: ") for row in observed]
    return tuple(dict.fromkeys(e for e in found if e and e != "(some error)"))


def _log_expect(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(item for row in _rows(entry) for item in (row.get("log_expect") or {}).items())


def _args(entry: dict[str, Any], case_dir: str) -> list[str]:
    args: list[str] = []
    for row in _rows(entry):
        for key, value in (row.get("secrets") or {}).items():
            args += ["--secret", f"{key}={value}"]
        for key, value in (row.get("inputs") or {}).items():
            args += ["--input", f"{key}={value}"]
        if row.get("secret_file"):
            args += ["--secret-file", f"{case_dir}/{row['secret_file']}"]
        if row.get("env_file"):
            args += ["--env-file", f"{case_dir}/{row['env_file']}"]
        if row.get("event_file"):
            args += ["--eventpath", f"{case_dir}/{row['event_file']}"]
        for key, values in (row.get("matrix_filter") or {}).items():
            args += [arg for value in values for arg in ("--matrix", f"{key}:{value}")]
    return _dedupe_pairs(args)


def _dedupe_pairs(args: list[str]) -> list[str]:
    """Option/value pairs once each (several rows of a table repeat the same options)."""
    pairs = list(dict.fromkeys(zip(args[::2], args[1::2], strict=True)))
    return [item for pair in pairs for item in pair]
