"""Git smart HTTP on the server (`/{owner}/{repo}.git/...` through `git http-backend`), with the
real `git` client and a real uvicorn: a conveyor token is the Basic password; read tokens fetch,
write tokens push; 401 asks for credentials, 404 for what is not a hosted repository."""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path

import httpx

from conveyor.git.hosting import read_refs
from tests.unit.server.hosted_forge import Forge, forge  # noqa: F401  (the fixture)


def test_git_clones_pushes_a_branch_and_a_tag_and_deletes_a_branch_with_a_write_token(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    git = forge.git
    work = tmp_path / "work"
    git.ok(tmp_path, "clone", "-q", forge.remote(), str(work))  # the empty repository
    first = git.commit(work, {"README.md": "hello\n"}, "first")
    git.ok(work, "push", "-q", "origin", "HEAD:refs/heads/main")
    git.ok(work, "tag", "-a", "v1", "-m", "one")
    git.ok(work, "push", "-q", "origin", "v1", "HEAD:refs/heads/feature")
    pushed = read_refs(forge.bare)
    assert pushed["refs/heads/main"] == first
    assert pushed["refs/heads/feature"] == first
    assert "refs/tags/v1" in pushed
    git.ok(work, "push", "-q", "origin", "--delete", "feature")
    assert "refs/heads/feature" not in read_refs(forge.bare)
    for path in (forge.bare, *forge.bare.rglob("*")):  # private, whatever the umask
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    again = tmp_path / "again"
    git.ok(tmp_path, "clone", "-q", forge.remote("read"), str(again))
    assert (again / "README.md").read_text() == "hello\n"
    assert git.ok(again, "rev-parse", "HEAD") == first


def test_a_read_token_fetches_but_its_push_is_refused(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    git = forge.git
    work = tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    git.commit(work, {"a.txt": "a\n"}, "first")
    refused = git.run(work, "push", forge.remote("read"), "main")
    assert refused.returncode != 0
    assert "403" in refused.stderr
    assert read_refs(forge.bare) == {}
    assert forge.remote("read").split("@")[0].split(":")[-1] not in refused.stderr
    git.ok(work, "push", "-q", forge.remote("write"), "main")
    git.ok(work, "fetch", "-q", forge.remote("read"), "main")


def test_no_or_a_bad_token_is_401_with_a_basic_challenge(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    refs = f"{forge.url}/acme/app.git/info/refs"
    anonymous = httpx.get(refs, params={"service": "git-upload-pack"})
    wrong = httpx.get(refs, params={"service": "git-upload-pack"}, auth=("x", "cvy_nope"))
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Basic realm="conveyor"'
    assert wrong.status_code == 401
    cloned = forge.git.run(tmp_path, "clone", forge.remote(None), str(tmp_path / "c"))
    assert cloned.returncode != 0
    assert "could not read Username" in cloned.stderr or "401" in cloned.stderr


def test_what_is_not_a_hosted_repository_is_404(forge: Forge) -> None:  # noqa: F811
    auth = ("x", forge.tokens["write"])
    service = {"service": "git-upload-pack"}
    for path, params in (
        ("/acme/nope.git/info/refs", service),
        ("/acme/plain.git/info/refs", service),  # registered by URL: not hosted here
        ("/acme/app.git/HEAD", {}),  # the dumb protocol is not served
        ("/acme/app.git/info/refs", {}),
        ("/acme/app.git/info/refs", {"service": "git-archive"}),
    ):
        answer = httpx.get(forge.url + path, params=params, auth=auth)
        assert answer.status_code == 404, path
        assert "Traceback" not in answer.text


def test_a_large_push_streams_through_the_server(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    git = forge.git
    work = tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    big = os.urandom(24 * 1024 * 1024)  # incompressible: the pack is sent chunked
    sha = git.commit(work, {"big.bin": big}, "big")
    tracemalloc.start()  # the server runs in this process: what it holds while streaming
    try:
        git.ok(work, "push", "-q", forge.remote(), "main")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # far below the 24 MiB pack: never held whole
    assert read_refs(forge.bare)["refs/heads/main"] == sha
    clone = tmp_path / "clone"
    git.ok(tmp_path, "clone", "-q", forge.remote("read"), str(clone))
    assert (clone / "big.bin").read_bytes() == big


def test_a_job_token_fetches_with_contents_read_and_pushes_with_contents_write_on_its_repository(
    forge: Forge,  # noqa: F811
    tmp_path: Path,
) -> None:
    from conveyor.store.job_tokens import SqlJobTokens

    tokens = SqlJobTokens(forge.context.store.database)  # type: ignore[arg-type]
    reader = tokens.mint("acme/app", "run-1/build", {"contents": "read"}, lifetime=600).value
    writer = tokens.mint("acme/app", "run-1/push", {"contents": "write"}, lifetime=600).value
    elsewhere = tokens.mint("acme/other", "run-2/x", {"contents": "write"}, lifetime=600).value
    git, work = forge.git, tmp_path / "work"
    git.ok(tmp_path, "init", "-q", "-b", "main", str(work))
    sha = git.commit(work, {"a.txt": "a\n"}, "first")
    refused = git.run(work, "push", git.url(forge.url, "acme/app", reader), "main")
    assert refused.returncode != 0
    assert "403" in refused.stderr
    foreign = git.run(work, "push", git.url(forge.url, "acme/app", elsewhere), "main")
    assert "403" in foreign.stderr
    git.ok(work, "push", "-q", git.url(forge.url, "acme/app", writer), "main")
    assert read_refs(forge.bare)["refs/heads/main"] == sha
    listed = git.ok(work, "ls-remote", git.url(forge.url, "acme/app", reader))
    assert sha in listed
    tokens.revoke(reader)
    gone = git.run(work, "ls-remote", git.url(forge.url, "acme/app", reader))
    assert gone.returncode != 0
