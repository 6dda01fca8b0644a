"""A fuzz of `POST /webhooks/github`: whatever the headers, body and signature, a delivery that is
not a good one is answered 4xx and queues nothing; a signed one that names no commit either fires
nothing (200) or is refused (400) (real uvicorn, one server for all examples)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.engine.ports.store import RunQuery
from conveyor.server.webhook_events import EVENTS, signature
from conveyor.store.handle import open_store
from tests.unit.server.served import SECRET, make_repo, register, served_app

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
EVENT = st.sampled_from(sorted(EVENTS)) | st.text(max_size=20)
BODY = (
    st.binary(max_size=300)
    | JSON.map(lambda value: json.dumps(value).encode())
    | st.just(b'{"repository": {"full_name": "acme/app"}}')
)
SIGNATURE = st.none() | st.text(max_size=80) | st.just("sha256=" + "0" * 64)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


def test_bad_deliveries_get_only_4xx_and_queue_nothing(conveyor_home: Path, tmp_path: Path) -> None:
    store = open_store(conveyor_home)
    make_repo(tmp_path / "app")  # its one workflow runs on push only
    register(store, tmp_path / "app")
    sent: list[int] = []
    with (
        served_app(conveyor_home, store, pool=False) as (_wired, url),
        httpx.Client(base_url=url) as client,
    ):

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(event=EVENT, body=BODY, mark=SIGNATURE, delivery=HEADER_TEXT, sign=st.booleans())
        def deliver(event: str, body: bytes, mark: str | None, delivery: str, sign: bool) -> None:
            headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery}
            signed = sign and body.startswith(b'{"repository": {"full_name": "acme/app"}}')
            if signed:  # signed, but no ref or commit: 400; an event that needs none: 200
                mark = signature(SECRET, body)
            if mark is not None:
                headers["X-Hub-Signature-256"] = mark
            headers = {
                k: v
                for k, v in headers.items()
                if v.isascii() and v.isprintable() and v == v.strip()
            }
            answer = client.post("/webhooks/github", content=body, headers=headers)
            sent.append(answer.status_code)
            fired_nothing = answer.status_code == 200 and answer.json()["run_ids"] == []
            # an organization hook's ping names no repository: a pong (nothing to verify, nothing
            # done), whatever its signature
            pong = fired_nothing and event == "ping" and "repository" not in json.loads(body)
            assert 400 <= answer.status_code < 500 or (signed and fired_nothing) or pong, (
                answer.status_code,
                answer.text,
            )

        deliver()
    assert store.runs.list_runs(RunQuery(limit=10)) == []
    assert {401, 400} <= set(sent)
    store.close()
