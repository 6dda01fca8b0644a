"""A job's step summaries ($GITHUB_STEP_SUMMARY, concatenated, already masked): one private
`summary.md` next to the job's `steps.log`, written when the job finishes, read by the web UI."""

from __future__ import annotations

from conveyor.private_files import private_directory, write_private
from conveyor.store.logs import FileLogStore

SUMMARY_FILE = "summary.md"
SUMMARY_LIMIT = 1024 * 1024  # GitHub's cap on a step summary


def write_summary(logs: FileLogStore, run_id: int, attempt: int, key: str, text: str) -> None:
    if not text.strip():
        return
    directory = private_directory(logs.job_dir(run_id, attempt, key))
    write_private(directory / SUMMARY_FILE, text)


def read_summary(logs: FileLogStore, run_id: int, attempt: int, key: str) -> str:
    """The job's summary, "" when it wrote none."""
    path = logs.job_dir(run_id, attempt, key) / SUMMARY_FILE
    try:
        with path.open("rb") as file:
            return file.read(SUMMARY_LIMIT).decode("utf-8", "replace")
    except (FileNotFoundError, NotADirectoryError):
        return ""
