"""A local Git server for tests: bare repositories made by the test, served over `file://` and
over smart HTTP (`git http-backend` as a CGI behind a threaded http.server on 127.0.0.1).

    server = GitServer(tmp_path)             # repositories under tmp_path/git
    sha = server.publish("acme/greet", {"action.yml": "..."}, tags=("v1",))
    server.file_url                          # file:///.../git   (<url>/acme/greet is cloneable)
    with server.http() as http:              # http://127.0.0.1:PORT (optionally basic auth)
        http.url, http.requests              # every request: (method, path) in order

`bundle(...)` serves a git bundle (the real actions in ../shared/actions) as a repository.
Fixtures: `git_server` (a GitServer in the test's tmp_path) and `git_http` (its HTTP face).
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_AUTHOR = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
_BACKEND = "/usr/lib/git-core/git-http-backend"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *_AUTHOR, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


class GitServer:
    """Bare repositories `<root>/<owner>/<repo>` (each made from a work tree kept beside it)."""

    def __init__(self, root: Path) -> None:
        self.root = root / "git"
        self.work = root / "git-work"
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def file_url(self) -> str:
        return self.root.as_uri()

    def publish(
        self,
        name: str,
        files: Mapping[str, str | bytes],
        *,
        tags: tuple[str, ...] = (),
        message: str = "publish",
    ) -> str:
        """Commit `files` (added to what the repository holds) on main, move `tags` to that
        commit, push everything to the bare repository; the commit's id."""
        work = self._work_tree(name)
        for relative, content in files.items():
            path = work / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        git(work, "add", "-A")
        git(work, "commit", "-q", "--allow-empty", "-m", message)
        for tag in tags:
            git(work, "tag", "-f", tag)
        git(work, "push", "-q", "--force", "origin", "main", "--tags")
        return git(work, "rev-parse", "HEAD")

    def bundle(self, name: str, bundle: Path) -> None:
        """Serve the git bundle `bundle` as `name`."""
        bare = self.root / f"{name}"
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "-q", "--mirror", str(bundle), str(bare)],
            check=True,
            capture_output=True,
        )

    def rev(self, name: str, ref: str) -> str:
        return git(self.root / name, "rev-parse", f"{ref}^{{commit}}")

    def _work_tree(self, name: str) -> Path:
        work = self.work / name
        bare = self.root / name
        if not work.is_dir():
            bare.mkdir(parents=True)
            git(bare, "init", "-q", "--bare", "-b", "main")
            work.mkdir(parents=True)
            git(work, "init", "-q", "-b", "main")
            git(work, "remote", "add", "origin", str(bare))
        return work

    @contextlib.contextmanager
    def http(self, *, token: str | None = None) -> Iterator[HttpGit]:
        """Serve the repositories over smart HTTP until the block ends (basic auth with any user
        and password `token` when given)."""
        served = HttpGit(self.root, token)
        server = ThreadingHTTPServer(("127.0.0.1", 0), served.handler())
        served.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield served
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


@dataclass
class HttpGit:
    """The HTTP face of a GitServer: its URL, and the requests it answered."""

    root: Path
    token: str | None
    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    headers_seen: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fetches(self, name: str) -> int:
        """How many packs were sent of repository `name` (git-upload-pack POSTs that fetch)."""
        return sum(1 for method, path in self.requests if path == f"/{name}/git-upload-pack:fetch")

    def handler(self) -> type[BaseHTTPRequestHandler]:
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                served.answer(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else _chunked(self)
                served.answer(self, body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def answer(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        with self._lock:
            self.headers_seen.append(str(request.headers))
        if self.token is not None and not self._authorised(request):
            request.send_response(401)
            request.send_header("WWW-Authenticate", 'Basic realm="git"')
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        path, _, query = request.path.partition("?")
        output = self._backend(request, path, query, body)
        self._record(request.command, path, body)
        _send_cgi(request, output)

    def _authorised(self, request: BaseHTTPRequestHandler) -> bool:
        given = request.headers.get("Authorization", "")
        if not given.startswith("Basic "):
            return False
        decoded = base64.b64decode(given[6:]).decode()
        return decoded.partition(":")[2] == self.token

    def _record(self, method: str, path: str, body: bytes) -> None:
        if path.endswith("/git-upload-pack") and b"command=fetch" in body:
            path += ":fetch"
        with self._lock:
            self.requests.append((method, path))

    def _backend(
        self, request: BaseHTTPRequestHandler, path: str, query: str, body: bytes
    ) -> bytes:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": request.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": request.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": request.headers.get("Content-Encoding", ""),
        }
        done = subprocess.run([_BACKEND], input=body, env=env, capture_output=True, check=False)
        return done.stdout


def _chunked(request: BaseHTTPRequestHandler) -> bytes:
    if request.headers.get("Transfer-Encoding", "").lower() != "chunked":
        return b""
    body = b""
    while True:
        size = int(request.rfile.readline().strip() or b"0", 16)
        if size == 0:
            request.rfile.readline()
            return body
        body += request.rfile.read(size)
        request.rfile.readline()


def _send_cgi(request: BaseHTTPRequestHandler, output: bytes) -> None:
    head, _, content = output.partition(b"\r\n\r\n")
    if not _:
        head, _, content = output.partition(b"\n\n")
    status = 200
    headers = []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers.append((name, value.strip()))
    request.send_response(status)
    for name, value in headers:
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(content)))
    request.end_headers()
    request.wfile.write(content)


def have_http_backend() -> bool:
    return Path(_BACKEND).is_file() and shutil.which("git") is not None


@pytest.fixture
def git_server(tmp_path: Path) -> GitServer:
    """A local Git server whose repositories live in the test's tmp_path."""
    return GitServer(tmp_path)


@pytest.fixture
def git_http(git_server: GitServer) -> Iterator[HttpGit]:
    """`git_server` over smart HTTP on 127.0.0.1 (stopped at the end of the test)."""
    if not have_http_backend():
        pytest.skip(f"needs git's http-backend at {_BACKEND}")
    with git_server.http() as served:
        yield served
