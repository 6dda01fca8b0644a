"""astral-sh/setup-uv (native) against a package index served here: download once into the tool
cache (hash checked, private files), reuse with no network, outputs and environment as the real
action's, the uv cache kept in conveyor's cache store."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import platform
import stat
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from conveyor.actions import default_registry
from conveyor.actions.uv_install import machine_arch
from conveyor.engine.ports.executor import JobDocument
from conveyor.model.results import Conclusion
from tests.unit.executors.harness import document, make_repo, run_job, steps

pytestmark = pytest.mark.integration

FAKE_UV = """#!/bin/sh
case "$1" in
  --version) echo "uv {version}" ;;
  venv) mkdir -p "$2/bin" && echo "made $2" ;;
  cache) exit 0 ;;
  python) command -v python3 ;;
esac
"""


def _platform_tag() -> str:
    if platform.system() == "Darwin":
        return f"macosx_11_0_{'arm64' if machine_arch() == 'aarch64' else machine_arch()}"
    if platform.libc_ver()[0] != "glibc":
        return f"musllinux_1_1_{machine_arch()}"
    return f"manylinux_2_17_{machine_arch()}"


def _wheel(version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("uv", "uvx"):
            archive.writestr(f"uv-{version}.data/scripts/{name}", FAKE_UV.format(version=version))
    return buffer.getvalue()


@dataclass
class FakeIndex:
    url: str
    wheels: dict[str, bytes]
    downloads: list[str] = field(default_factory=list)
    tamper: bool = False


@pytest.fixture
def index() -> Iterator[FakeIndex]:
    wheels = {
        f"uv-{v}-py3-none-{_platform_tag()}.whl": _wheel(v) for v in ("0.4.2", "0.5.0", "0.6.1")
    }
    fake = FakeIndex("", wheels)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/simple/uv/":
                files = [
                    {
                        "filename": name,
                        "url": f"../../packages/{name}",
                        "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                    }
                    for name, data in wheels.items()
                ]
                self._send(json.dumps({"files": files}).encode(), "application/json")
            elif self.path.startswith("/packages/") and self.path[10:] in wheels:
                fake.downloads.append(self.path[10:])
                data = wheels[self.path[10:]]
                self._send(data + b"x" if fake.tamper else data, "application/zip")
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _job(repo: Path, index_url: str, *job_steps: dict[str, object]) -> JobDocument:
    return document(repo, steps(*job_steps), env={"PIP_INDEX_URL": index_url})


def test_setup_uv_downloads_once_and_sets_up_the_job(
    tmp_path: Path, conveyor_home: Path, index: FakeIndex
) -> None:
    repo = make_repo(tmp_path / "demo", {"pyproject.toml": "[project]\nname = 'demo'\n"})
    with_inputs = {
        "version": ">=0.4,<0.6",
        "python-version": "3.12",
        "activate-environment": "true",
        "github-token": "not-used",
    }
    doc = _job(
        repo,
        index.url,
        {"uses": "actions/checkout@v4"},
        {"uses": "astral-sh/setup-uv@v6", "id": "uv", "with": with_inputs},
        {"run": 'uv --version; echo "python=$UV_PYTHON"; echo "venv=$VIRTUAL_ENV"; command -v uv'},
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    outputs = result.steps[1].outputs
    tool_dir = conveyor_home / "toolcache" / "uv" / "0.5.0" / machine_arch()
    assert outputs["uv-version"] == "0.5.0"
    assert outputs["uv-path"] == str(tool_dir / "uv")
    assert outputs["uvx-path"] == str(tool_dir / "uvx")
    assert outputs["python-version"] == "3.12"
    assert outputs["python-cache-hit"] == "false"
    workspace = outputs["venv"].removesuffix("/.venv")
    assert reporter.output(2) == [
        "uv 0.5.0",
        "python=3.12",
        f"venv={workspace}/.venv",
        str(tool_dir / "uv"),
    ]
    assert "input 'github-token' is not used by conveyor" in reporter.text(1)
    assert index.downloads == [f"uv-0.5.0-py3-none-{_platform_tag()}.whl"]
    assert stat.S_IMODE(tool_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((tool_dir / "uv").stat().st_mode) == 0o700

    exact = _job(
        repo,
        "http://127.0.0.1:9/simple",
        {"uses": "astral-sh/setup-uv@v6", "with": {"version": "0.5.0"}},
    )
    result, reporter = run_job(exact, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert "Found uv in tool-cache for 0.5.0" in reporter.text(0)
    ranged = _job(repo, "http://127.0.0.1:9/simple", {"uses": "astral-sh/setup-uv@v6"})
    result, reporter = run_job(ranged, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert result.steps[0].outputs["uv-version"] == "0.5.0"
    assert "did not answer" in reporter.text(0)
    assert len(index.downloads) == 1


def test_a_wheel_whose_hash_differs_is_refused(
    tmp_path: Path, conveyor_home: Path, index: FakeIndex
) -> None:
    index.tamper = True
    doc = _job(make_repo(tmp_path / "demo"), index.url, {"uses": "astral-sh/setup-uv@v6"})
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.FAILURE
    assert "is not the index's" in reporter.text(0)
    assert not (conveyor_home / "toolcache" / "uv" / "0.6.1" / machine_arch()).exists()


def test_a_version_file_and_no_matching_release(
    tmp_path: Path, conveyor_home: Path, index: FakeIndex
) -> None:
    repo = make_repo(tmp_path / "demo", {"uv.toml": 'required-version = "~=0.4.0"\n'})
    doc = _job(
        repo,
        index.url,
        {"uses": "actions/checkout@v4"},
        {"uses": "astral-sh/setup-uv@v6", "id": "file"},
        {"uses": "astral-sh/setup-uv@v6", "with": {"version": "9.9"}},
    )
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.steps[1].outputs["uv-version"] == "0.4.2"
    assert result.steps[2].outcome is Conclusion.FAILURE
    assert "no uv release on" in reporter.text(2)
    assert "satisfies '9.9'" in reporter.text(2)


def test_enable_cache_keeps_the_uv_cache_in_the_cache_store(
    tmp_path: Path, conveyor_home: Path, index: FakeIndex
) -> None:
    repo = make_repo(tmp_path / "demo", {"uv.lock": "version = 1\n"})
    uv_step = {
        "uses": "astral-sh/setup-uv@v6",
        "id": "uv",
        "with": {"version": "0.4.2", "enable-cache": "true", "python-version": "3.12"},
    }
    fill = {
        "run": 'test -n "$UV_CACHE_DIR"\nmkdir -p "$UV_CACHE_DIR/w"\necho hi > "$UV_CACHE_DIR/w/f"'
    }
    check = {"run": 'cat "$UV_CACHE_DIR/w/f"'}
    checkout = {"uses": "actions/checkout@v4"}
    first, reporter = run_job(
        _job(repo, index.url, checkout, uv_step, fill), conveyor_home, actions=default_registry()
    )
    assert first.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert first.steps[1].outputs["cache-hit"] == "false"
    key = first.steps[1].outputs["cache-key"]
    assert key.startswith(f"setup-uv-2-{machine_arch()}-")
    assert "-3.12-pruned-" in key
    assert "uv cache saved with key" in reporter.text(every=True)
    second, reporter = run_job(
        _job(repo, index.url, checkout, uv_step, check), conveyor_home, actions=default_registry()
    )
    assert second.result is Conclusion.SUCCESS, reporter.text(every=True)
    assert second.steps[1].outputs["cache-hit"] == "true"
    assert second.steps[1].outputs["cache-key"] == key
    assert reporter.output(2) == ["hi"]


def test_nothing_to_cache_fails_the_post_step_unless_ignored(
    tmp_path: Path, conveyor_home: Path, index: FakeIndex
) -> None:
    repo = make_repo(tmp_path / "demo")
    inputs = {"version": "0.4.2", "enable-cache": "true"}
    doc = _job(repo, index.url, {"uses": "astral-sh/setup-uv@v6", "with": inputs})
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.FAILURE
    assert "there are no dependencies to cache" in reporter.text(every=True)
    ignored = {**inputs, "ignore-nothing-to-cache": "true"}
    doc = _job(repo, index.url, {"uses": "astral-sh/setup-uv@v6", "with": ignored})
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.SUCCESS, reporter.text(every=True)


def test_a_cache_suffix_holding_a_secret_is_refused(
    tmp_path: Path, conveyor_home: Path, index: FakeIndex
) -> None:
    inputs = {"version": "0.4.2", "enable-cache": "true", "cache-suffix": "${{ secrets.TOKEN }}"}
    doc = _job(
        make_repo(tmp_path / "demo"), index.url, {"uses": "astral-sh/setup-uv@v6", "with": inputs}
    )
    doc = replace(doc, contexts={**doc.contexts, "secrets": {"TOKEN": "s3cr3t-value-xyz"}})
    result, reporter = run_job(doc, conveyor_home, actions=default_registry())
    assert result.result is Conclusion.FAILURE
    assert "the cache key holds a secret" in reporter.text(0)
    assert "s3cr3t-value-xyz" not in reporter.text(every=True)
    stored = (
        list((conveyor_home / "caches").rglob("*")) if (conveyor_home / "caches").exists() else []
    )
    assert stored == []
