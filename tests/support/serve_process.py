"""`conveyor` as a user runs it, in real processes sharing one CONVEYOR_HOME: client commands
(`tokens create`, `repos add`, `secrets set`…) and `conveyor serve` on a free port.

with serving(home) as server:           # waits for the `listening on` line
    httpx.get(f"{server.url}/healthz")
    assert server.stop() == 0          # SIGTERM, bounded wait: the exit status
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def environment(home: Path) -> dict[str, str]:
    """The process environment: this checkout's sources, `home`, nothing else of conveyor's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
    return env | {"CONVEYOR_HOME": str(home), "CONVEYOR_PLAIN": "1", "PYTHONPATH": str(SRC)}


def cli(
    home: Path, *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`conveyor ARGS` run to its end (bounded); its exit status, stdout and stderr."""
    command = [sys.executable, "-m", "conveyor", *args]
    return subprocess.run(
        command,
        env=environment(home),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli_ok(home: Path, *args: str, stdin: str | None = None) -> str:
    done = cli(home, *args, stdin=stdin)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then its exit status (it must end within `timeout` seconds)."""
        self.process.send_signal(signal.SIGTERM)
        self.process.communicate(timeout=timeout)
        return self.process.returncode


@contextmanager
def serving(home: Path, *args: str, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`conveyor serve --host 127.0.0.1 --port 0 ARGS`, once it prints its `listening on`
    (`env`: more variables for the server, e.g. CONVEYOR_ACTIONS_URL)."""
    command = [sys.executable, "-m", "conveyor", "serve", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen(
        [*command, *args],
        env=environment(home) | dict(env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # bounded: the process exits (EOF) if it cannot start
        found = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert found, (line, process.stderr.read() if process.poll() is not None else "")
        yield Server(process, found.group(1))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def signed(secret: str, body: bytes) -> str:
    """GitHub's `X-Hub-Signature-256` of `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
