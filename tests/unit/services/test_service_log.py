"""ServiceLog: a service's log file, the job's secrets masked as lines are written."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from conveyor.executors.local.masking import SecretMasker
from conveyor.services.service_log import CUT_MARKER, MAX_LINE, ServiceLog

SECRET = "s3cr3t-VALUE-123"


def log_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_without_secrets_the_service_writes_the_private_file_itself(tmp_path: Path) -> None:
    log = ServiceLog(tmp_path / "db.log")
    os.write(log.output(), b"hello\n")
    log.close()
    assert log_text(tmp_path / "db.log") == "hello\n"
    assert stat.S_IMODE((tmp_path / "db.log").stat().st_mode) == 0o600


def test_a_secret_split_across_writes_is_masked_whole(tmp_path: Path) -> None:
    log = ServiceLog(tmp_path / "db.log", SecretMasker([SECRET]).mask)
    middle = len(SECRET) // 2
    process = subprocess.Popen(
        [
            "sh",
            "-c",
            f"printf 'user \"{SECRET[:middle]}'; sleep 0.2; printf '{SECRET[middle:]}\"\\n'",
        ],
        stdout=log.output(),
    )
    process.wait()
    log.settle()
    assert log_text(tmp_path / "db.log") == 'user "***"\n'
    log.close()


def test_an_unfinished_last_line_is_masked_when_the_log_closes(tmp_path: Path) -> None:
    log = ServiceLog(tmp_path / "db.log", SecretMasker([SECRET]).mask)
    os.write(log.output(), f"first\nlast {SECRET}".encode())
    log.close()
    assert log_text(tmp_path / "db.log") == "first\nlast ***"


def test_a_line_over_the_limit_is_cut_with_no_part_of_a_secret(tmp_path: Path) -> None:
    log = ServiceLog(tmp_path / "db.log", SecretMasker([SECRET]).mask)
    head = b"x" * (MAX_LINE - 5)  # the secret straddles the limit
    data = head + SECRET.encode() + b"y" * 200_000 + f" {SECRET}\nnext {SECRET}\n".encode()
    writer = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=log.output())
    writer.communicate(data)
    log.close()
    written = (tmp_path / "db.log").read_bytes()
    assert SECRET[:4].encode() not in written
    assert written.endswith(CUT_MARKER + b"next ***\n")
    assert len(written) < MAX_LINE
