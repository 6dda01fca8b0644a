"""A local npm registry for tests: a threaded HTTP server on 127.0.0.1 serving the abbreviated
metadata of node's per-platform package and tarballs built by the test, each holding a tiny
`bin/node` shell script that reports its version."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conveyor.executors.local.node_provision import platform_package

NODE_SCRIPT = """#!/bin/sh
if [ "$1" = --version ]; then echo v{version}; exit 0; fi
echo "fake node v{version} ran $*"
"""


def node_tarball(version: str) -> bytes:
    """A package tarball as npm publishes it: everything under `package/`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text, mode in (
            ("package/package.json", json.dumps({"name": "node", "version": version}), 0o644),
            ("package/bin/node", NODE_SCRIPT.format(version=version), 0o755),
        ):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@dataclass
class FakeRegistry:
    versions: list[str]
    url: str = ""
    hits: Counter[str] = field(default_factory=Counter)
    tarballs: dict[str, bytes] = field(default_factory=dict)
    corrupt: bool = False  # serve tarballs that do not match their integrity

    def metadata(self) -> dict[str, object]:
        package = platform_package()
        versions = {}
        for version in self.versions:
            data = self.tarballs.setdefault(version, node_tarball(version))
            versions[version] = {
                "name": package,
                "version": version,
                "dist": {
                    "integrity": integrity(data),
                    "shasum": hashlib.sha1(data).hexdigest(),
                    "tarball": f"{self.url}/{package}/-/{package}-{version}.tgz",
                },
            }
        return {"name": package, "dist-tags": {"latest": self.versions[-1]}, "versions": versions}

    def answer(self, path: str) -> bytes | None:
        package = platform_package()
        if path == f"/{package}":
            return json.dumps(self.metadata()).encode()
        prefix = f"/{package}/-/{package}-"
        if path.startswith(prefix) and path.endswith(".tgz"):
            data = self.tarballs.get(path[len(prefix) : -len(".tgz")])
            return data + b"x" if data is not None and self.corrupt else data
        return None


@contextmanager
def fake_registry(versions: list[str]) -> Iterator[FakeRegistry]:
    registry = FakeRegistry(versions)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            registry.hits[self.path] += 1
            body = registry.answer(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    registry.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield registry
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
