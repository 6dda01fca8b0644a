"""`make demo-carbon`: the Carbon Connect flagship in the browser, in one command.

It makes a fresh CONVEYOR_HOME (under $DEMO_DIR, default a new temporary directory), a maintainer
token (admin) and a release manager token, the hosted repository acme/carbon-connect seeded with
examples/carbon-connect, its variable DEPLOY_ROOT and placeholder secrets; starts `conveyor serve`
in the background (port $PORT, default 8080) with its local forge; pushes a branch and opens a
pull request with a complete TDD proof; then prints the URLs of the pull request and of its
runs, the token to log in with, and how to stop everything. Standard library only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "carbon-connect"
REPO = "acme/carbon-connect"
SECRETS = ("AWS_ACCOUNT_ID", "CODECOV_TOKEN", "PROD_SUBNET_IDS", "STAGING_SUBNET_IDS",
           "PROD_SECURITY_GROUP", "STAGING_SECURITY_GROUP")  # fmt: skip
GIT = ["git", "-c", "user.name=Mona Lisa", "-c", "user.email=mona@example.com",
       "-c", "credential.helper=", "-c", "commit.gpgsign=false"]  # fmt: skip
BODY = """\
## What and why

Matches are listed nearest first; the docs say so.

## TDD Proof

- [x] Tests written before production code
- [x] Evidence of failing test run included
- [x] All tests passing locally
"""


def conveyor(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", *args], env=env, input=stdin,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"conveyor {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def sample_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "."], cwd=SAMPLE, capture_output=True)
    if listed.returncode == 0 and listed.stdout:
        return [name for name in listed.stdout.decode().split("\0") if name]
    skip = {"node_modules", ".venv", "__pycache__", "site", ".next", "coverage"}
    return [str(p.relative_to(SAMPLE)) for p in SAMPLE.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(SAMPLE).parts)]  # fmt: skip


def seed(work: Path, bare: Path) -> None:
    """The sample in a fresh repository, pushed into the hosted bare one (an import)."""
    git(work.parent, "init", "-q", "-b", "main", str(work))
    for name in sample_files():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SAMPLE / name, work / name)
    git(work, "add", "-A")
    git(work, "commit", "-qm", "Carbon Connect")
    git(work, "push", "-q", str(bare), "main")


def serve(env: dict[str, str], port: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "conveyor", "serve", "--host", "127.0.0.1", "--port", port],
            env=env, stdout=subprocess.PIPE, stderr=err, start_new_session=True,
        )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    if not line.startswith("listening on "):
        sys.exit(f"conveyor serve did not start (see {log})")
    return process, line.removeprefix("listening on ").strip()


def runs(url: str, token: str) -> list[dict[str, object]]:
    request = urllib.request.Request(
        f"{url}/api/v1/runs?repo={REPO}&event=pull_request",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        found: list[dict[str, object]] = json.load(answer)["runs"]
    return found


def main() -> int:
    base = Path(os.environ.get("DEMO_DIR") or tempfile.mkdtemp(prefix="carbon-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o711)  # the platform's PostgreSQL (an unprivileged user) must reach DEPLOY_ROOT
    home, deploy, work = base / "home", base / "deploy", base / "carbon-connect"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
    env |= {"CONVEYOR_HOME": str(home), "CONVEYOR_PLAIN": "1", "CONVEYOR_SERVE_GRACE": "10"}
    admin = conveyor(env, "tokens", "create", "--name", "mona", "--role", "admin")
    manager = conveyor(env, "tokens", "create", "--name", "release-manager", "--role", "write")
    conveyor(env, "repos", "create", REPO)
    conveyor(env, "vars", "set", "DEPLOY_ROOT", str(deploy), "--repo", REPO)
    for name in SECRETS:
        conveyor(env, "secrets", "set", name, "--repo", REPO, stdin=f"placeholder-{name}\n")
    seed(work, home / "server" / "hosted" / "acme" / "carbon-connect.git")
    process, url = serve(env, os.environ.get("PORT", "8080"), base / "serve.log")
    remote = url.replace("://", f"://x-access-token:{admin}@") + f"/{REPO}.git"
    git(work, "switch", "-q", "-c", "feature/nearest-first")
    with (work / "docs" / "index.md").open("a") as page:
        page.write("\nMatches come nearest first.\n")
    with (work / "backend" / "README.md").open("a") as page:
        page.write("\nMatches come nearest first.\n")
    with (work / "frontend" / "lib" / "api.ts").open("a") as page:
        page.write("// Matches come nearest first.\n")
    git(work, "commit", "-qam", "Say that matches come nearest first")
    git(work, "push", "-q", remote, "feature/nearest-first")
    (base / "body.md").write_text(BODY)
    conveyor(env, "pr", "create", "--repo", REPO, "--head", "feature/nearest-first",
             "--base", "main", "--title", "Matches come nearest first",
             "--body-file", str(base / "body.md"), "--server", url, "--token", admin)  # fmt: skip
    deadline = time.monotonic() + 30
    while not (started := runs(url, admin)) and time.monotonic() < deadline:
        time.sleep(0.5)
    pages = "  ".join(
        f"{url}/runs/{run['id']}" for run in sorted(started, key=lambda r: str(r["id"]))
    )
    print(f"""
Carbon Connect is served at {url} (conveyor serve, pid {process.pid}; its log: {base}/serve.log)

  the pull request:   {url}/{REPO}/pull/1
  its runs:           {pages}
  all runs:           {url}/runs

Log in with the maintainer's token:       {admin}
Approve production as release-manager:     {manager}
The repository: git clone {url}/{REPO}.git (password: a token); work tree: {work}

Go on with the story (examples/carbon-connect/README.md): merge the pull request in the
page, push `staging`, push a tag v1.0.0, dispatch deploy-production with that tag and approve it.

Stop:  kill {process.pid} && DEPLOY_ROOT={deploy} python3 {SAMPLE}/deploy/platform.py down --all
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
