"""The web UI over real HTTP (uvicorn + httpx): login, sessions, CSRF, roles, pages, sanitising."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.engine.ports.store import ProtectionRules
from conveyor.model.results import Conclusion
from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl
from conveyor.store.handle import StoreHandle, open_store
from conveyor.store.step_summaries import write_summary
from tests.support.http_server import running_app
from tests.support.ui_runs import (
    READER,
    WRITER,
    StepPlan,
    annotate,
    new_run,
    record_job,
    ui_context,
    workflow_repository,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def store(conveyor_home: Path) -> Iterator[StoreHandle]:
    handle = open_store(conveyor_home)
    yield handle
    handle.close()


@pytest.fixture
def context(conveyor_home: Path, store: StoreHandle) -> ServerContext:
    return ui_context(conveyor_home, store)


@pytest.fixture
def base_url(context: ServerContext) -> Iterator[str]:
    with running_app(create_app(context)) as url:
        yield url


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def logged_in(base_url: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url)
    page = client.get("/login")
    answer = client.post("/login", data={"token": token, "csrf": csrf_of(page.text)})
    assert answer.status_code == 303, answer.text
    return client


def test_pages_redirect_to_login_without_a_session(base_url: str) -> None:
    answer = httpx.get(f"{base_url}/runs")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_anonymous_read_when_the_setting_allows_it(conveyor_home: Path, store: StoreHandle) -> None:
    with running_app(create_app(ui_context(conveyor_home, store, anonymous_read=True))) as url:
        assert httpx.get(f"{url}/runs").status_code == 200


def test_login_sets_a_signed_httponly_lax_expiring_cookie(
    base_url: str, conveyor_home: Path
) -> None:
    client = httpx.Client(base_url=base_url)
    page = client.get("/login")
    answer = client.post("/login", data={"token": WRITER, "csrf": csrf_of(page.text)})
    header = answer.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "max-age=" in header
    assert WRITER not in answer.headers["set-cookie"]
    assert client.get("/runs").status_code == 200
    key = next((conveyor_home / "server").glob("*.key"))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_a_bad_token_is_refused_with_a_message(base_url: str) -> None:
    client = httpx.Client(base_url=base_url)
    page = client.get("/login")
    answer = client.post("/login", data={"token": "nope", "csrf": csrf_of(page.text)})
    assert answer.status_code == 401
    assert "not a valid token" in answer.text


def test_a_tampered_cookie_is_no_session(base_url: str) -> None:
    client = logged_in(base_url, WRITER)
    value = client.cookies["conveyor_session"]
    client.cookies.set("conveyor_session", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/runs").status_code == 303


def test_login_and_every_post_need_the_csrf_token(base_url: str, context: ServerContext) -> None:
    client = httpx.Client(base_url=base_url)
    client.get("/login")
    assert client.post("/login", data={"token": WRITER}).status_code == 403
    client = logged_in(base_url, WRITER)
    assert client.post("/runs/1/cancel").status_code == 403
    assert client.post("/runs/1/cancel", data={"csrf": "forged"}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert isinstance(context.control, FakeControl)
    assert context.control.cancelled == []


def test_write_buttons_only_for_write_and_the_handler_checks_again(
    base_url: str, store: StoreHandle, context: ServerContext
) -> None:
    run_id = new_run(store, "octo/app")
    record_job(
        store, run_id, "build", [StepPlan("make", "boom\n", Conclusion.FAILURE)], finish=None
    )
    reader = logged_in(base_url, READER)
    page = reader.get(f"/runs/{run_id}")
    assert page.status_code == 200
    assert "Cancel" not in page.text
    answer = reader.post(f"/runs/{run_id}/cancel", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 403
    writer = logged_in(base_url, WRITER)
    page = writer.get(f"/runs/{run_id}")
    assert "Cancel" in page.text
    answer = writer.post(f"/runs/{run_id}/cancel", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 303
    assert isinstance(context.control, FakeControl)
    assert context.control.cancelled == [run_id]


def test_rerun_a_matrix_leg_from_its_button_reruns_its_job(
    base_url: str, store: StoreHandle, context: ServerContext
) -> None:
    run_id = new_run(store, "octo/app")
    leg = [StepPlan("pytest", "1 failed\n", Conclusion.FAILURE)]
    record_job(store, run_id, "test (3.11)", leg, job_id="test", matrix={"python": "3.11"})
    store.runs.finish_run(run_id, Conclusion.FAILURE)
    writer = logged_in(base_url, WRITER)
    page = writer.get(f"/runs/{run_id}")
    form = {"csrf": csrf_of(page.text), "job": "test (3.11)"}
    assert writer.post(f"/runs/{run_id}/rerun", data=form).status_code == 303
    assert isinstance(context.control, FakeControl)
    assert context.control.reruns == [(run_id, False, "test")]


def test_runs_list_filters(base_url: str, store: StoreHandle) -> None:
    new_run(store, "octo/app", branch="main")
    new_run(store, "octo/app", branch="feature-x")
    new_run(store, "octo/lib", branch="main", event="pull_request")
    client = logged_in(base_url, READER)
    assert client.get("/runs").text.count('class="run-row') == 3
    assert client.get("/runs", params={"repo": "octo/app"}).text.count('class="run-row') == 2
    only = client.get("/runs", params={"branch": "feature-x"}).text
    assert only.count('class="run-row') == 1
    assert "feature-x" in only
    assert client.get("/runs", params={"event": "pull_request"}).text.count('class="run-row') == 1
    assert client.get("/runs", params={"status": "queued"}).text.count('class="run-row') == 3


def test_run_page_graph_steps_log_annotations(
    base_url: str, store: StoreHandle, tmp_path: Path
) -> None:
    repository = workflow_repository(tmp_path / "repo")
    run_id = new_run(store, str(repository))
    log = "::group::Install\n\x1b[31mred\x1b[0m text\n::endgroup::\nplain <b>not bold</b>\n"
    record_job(store, run_id, "build", [StepPlan("make", log)])
    for leg in ("3.11", "3.12"):
        record_job(
            store,
            run_id,
            f"test ({leg})",
            [StepPlan("pytest", "ok\n")],
            job_id="test",
            matrix={"python": leg},
        )
    annotate(store, run_id, "build", "Something broke")
    client = logged_in(base_url, READER)
    html = client.get(f"/runs/{run_id}").text
    assert '<svg class="graph"' in html
    assert "test (3.11)" in html
    assert "test (3.12)" in html
    assert re.search(r'class="edge"[^>]*data-from="build"[^>]*data-to="test"', html)
    assert re.search(r'data-from="test"[^>]*data-to="deploy"', html)
    assert "Something broke" in html
    assert "app.py:3" in html
    html = client.get(f"/runs/{run_id}/job", params={"key": "build"}).text
    assert '<details class="group"' in html
    assert "Install" in html
    assert '<span class="fg-red">red</span>' in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "3.5s" in html  # a step's duration


def test_a_hostile_step_summary_is_sanitised(base_url: str, store: StoreHandle) -> None:
    run_id = new_run(store, "octo/app")
    record_job(store, run_id, "build", [StepPlan("make", "ok\n")])
    hostile = (
        "# Results\n\n**bold** | x\n\n<script>alert(1)</script>\n"
        '<img src=x onerror="alert(2)">\n[link](javascript:alert(3))\n'
        "<iframe src=//evil></iframe>\n"
    )
    write_summary(store.logs, run_id, 1, "build", hostile)
    html = logged_in(base_url, READER).get(f"/runs/{run_id}").text
    assert "<h1>Results</h1>" in html
    assert "<strong>bold</strong>" in html
    summary = html[html.index('class="markdown"') :]
    assert "<script>alert" not in summary
    assert "&lt;script&gt;" in summary  # shown as text, never run
    assert not re.search(r"<[^>]*onerror", summary)
    assert not re.search(r"href=\"?javascript:", summary)
    assert "<iframe" not in summary


def test_approve_a_waiting_deployment(base_url: str, store: StoreHandle) -> None:
    run_id = new_run(store, "octo/app")
    store.environments.declare_environment(
        "octo/app", "production", ProtectionRules(required_reviewers=("writer",))
    )
    store.environments.request_approval(run_id, 1, "production")
    client = logged_in(base_url, WRITER)
    page = client.get(f"/runs/{run_id}")
    assert "Approve" in page.text
    answer = client.post(
        f"/runs/{run_id}/approve",
        data={"csrf": csrf_of(page.text), "environment": "production", "comment": "ship it"},
    )
    assert answer.status_code == 303
    approval = store.environments.get_approval(run_id, 1, "production")
    assert approval is not None
    assert str(approval.state) == "approved"
    assert approval.reviewer == "writer"


def test_a_reviewer_the_rules_do_not_name_gets_the_reason(
    base_url: str, store: StoreHandle
) -> None:
    run_id = new_run(store, "octo/app")
    store.environments.declare_environment(
        "octo/app", "production", ProtectionRules(required_reviewers=("alice",))
    )
    store.environments.request_approval(run_id, 1, "production")
    client = logged_in(base_url, WRITER)
    page = client.get(f"/runs/{run_id}")
    answer = client.post(
        f"/runs/{run_id}/reject",
        data={"csrf": csrf_of(page.text), "environment": "production"},
    )
    assert answer.status_code == 403
    assert "alice" in answer.text


def test_badge_is_public_svg_with_the_latest_conclusion(base_url: str, store: StoreHandle) -> None:
    run_id = new_run(store, "octo/app")
    record_job(store, run_id, "build", [StepPlan("make", "ok\n")])
    store.runs.finish_run(run_id, Conclusion.SUCCESS)
    answer = httpx.get(f"{base_url}/badge/octo/app/ci.yml.svg", params={"branch": "main"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "passing" in answer.text
    other = httpx.get(f"{base_url}/badge/octo/app/ci.yml.svg", params={"branch": "nope"})
    assert "no runs" in other.text


def test_environments_and_deployments_pages(base_url: str, store: StoreHandle) -> None:
    run_id = new_run(store, "octo/app")
    store.environments.declare_environment(
        "octo/app", "production", ProtectionRules(required_reviewers=("alice",))
    )
    store.environments.record_deployment(run_id, 1, "deploy", "production", "success")
    html = logged_in(base_url, READER).get("/environments", params={"repo": "octo/app"}).text
    assert "production" in html
    assert "alice" in html
    assert f"/runs/{run_id}" in html


def test_static_files_are_served_and_only_those(base_url: str) -> None:
    assert "htmx" in httpx.get(f"{base_url}/ui/static/htmx.min.js").text
    assert httpx.get(f"{base_url}/ui/static/style.css").status_code == 200
    assert httpx.get(f"{base_url}/ui/static/..%2Fpages.py").status_code == 404


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_the_server(base_url: str, target: str) -> None:
    client = httpx.Client(base_url=base_url)
    page = client.get("/login", params={"next": target})
    answer = client.post(
        "/login", data={"token": READER, "csrf": csrf_of(page.text), "next": target}
    )
    assert answer.headers["location"] == "/runs"


def test_login_returns_to_the_page_asked_for_and_logout_ends_the_session(base_url: str) -> None:
    client = httpx.Client(base_url=base_url)
    first = client.get("/runs", params={"repo": "octo/app"})
    login = client.get(first.headers["location"])
    target = re.search(r'name="next" value="([^"]+)"', login.text)
    assert target is not None
    answer = client.post(
        "/login",
        data={"token": READER, "csrf": csrf_of(login.text), "next": target.group(1)},
    )
    assert answer.headers["location"] == "/runs?repo=octo%2Fapp"
    page = client.get("/runs")
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    assert client.get("/runs").status_code == 303


def test_an_unknown_status_filter_is_a_clear_400(base_url: str) -> None:
    answer = logged_in(base_url, READER).get("/runs", params={"status": "bogus"})
    assert answer.status_code == 400
    assert "bogus" in answer.text


def test_unknown_run_and_job_are_404(base_url: str, store: StoreHandle) -> None:
    client = logged_in(base_url, READER)
    assert client.get("/runs/999").status_code == 404
    run_id = new_run(store, "octo/app")
    assert client.get(f"/runs/{run_id}/job", params={"key": "nope"}).status_code == 404


def test_a_live_fragment_without_a_session_asks_htmx_to_go_to_login(base_url: str) -> None:
    page = f"{base_url}/runs?repo=octo"
    answer = httpx.get(
        f"{base_url}/runs/rows", headers={"HX-Request": "true", "HX-Current-URL": page}
    )
    assert answer.status_code == 401
    assert answer.headers["HX-Redirect"] == "/login?next=/runs%3Frepo%3Docto"


def test_the_live_log_stream_needs_a_session_and_sends_rendered_lines(
    base_url: str, store: StoreHandle
) -> None:
    run_id = new_run(store, "octo/app")
    record_job(
        store, run_id, "build", [StepPlan("make", "::group::Tools\ngcc\n::endgroup::\nok\n")]
    )
    store.runs.finish_run(run_id, Conclusion.SUCCESS)
    url = f"/runs/{run_id}/job/log"
    assert httpx.get(f"{base_url}{url}", params={"key": "build"}).status_code == 303
    client = logged_in(base_url, READER)
    assert client.get(url, params={"key": "nope"}).status_code == 404
    offset = len(b"::group::Tools\n")
    params = {"key": "build", "step": 0, "offset": offset, "lines": 1, "group": "true"}
    answer = client.get(url, params=params)
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = [block for block in answer.text.split("\n\n") if block]
    assert events == [
        f'id: {offset + 4}\nevent: line\ndata: <div class="line" data-n="2">gcc</div>',
        f"id: {offset + 17}\nevent: endgroup\ndata: ",
        f'id: {offset + 20}\nevent: line\ndata: <div class="line" data-n="3">ok</div>',
        "event: end\ndata: {}",
    ]


def test_the_run_page_lists_the_artifacts_upload_artifact_wrote_and_zips_them(
    base_url: str, store: StoreHandle, conveyor_home: Path, tmp_path: Path
) -> None:
    """Artifacts are the files upload-artifact wrote under CONVEYOR_HOME/runs/<id>/artifacts/
    (as the API lists them); a symbolic link in one never leads outside it."""
    import io
    import zipfile

    run_id = new_run(store, str(workflow_repository(tmp_path / "repo")))
    dist = conveyor_home / "runs" / str(run_id) / "artifacts" / "dist"
    (dist / "sub").mkdir(parents=True)
    (dist / "app.whl").write_bytes(b"x" * 2048)
    (dist / "sub" / "notes.txt").write_text("hello", encoding="utf-8")
    secret = tmp_path / "outside.txt"
    secret.write_text("not an artifact", encoding="utf-8")
    (dist / "link.txt").symlink_to(secret)
    client = logged_in(base_url, READER)
    html = client.get(f"/runs/{run_id}").text
    assert f'href="/runs/{run_id}/artifacts/dist"' in html
    answer = client.get(f"/runs/{run_id}/artifacts/dist")
    assert answer.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert sorted(names) == ["app.whl", "sub/notes.txt"]
    assert client.get(f"/runs/{run_id}/artifacts/%2E%2E").status_code == 404
    assert client.get(f"/runs/{run_id}/artifacts/nope").status_code == 404
