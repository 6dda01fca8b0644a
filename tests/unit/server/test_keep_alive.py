"""Keep-alive requests are answered at once, by the tests' server (`running_app`) and by
`conveyor serve`: their listening sockets say they are TCP, so asyncio sets TCP_NODELAY on each
connection and an answer's last write does not wait ~40 ms for the client's delayed ACK."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from conveyor.server.app import create_app
from conveyor.server.context import ServerContext
from conveyor.server.fake import FakeControl, FakeStarter, FakeTokens
from conveyor.store.handle import open_store
from tests.support.http_server import running_app
from tests.unit.server.test_serve_command import serving

STALL = 0.030  # a delayed ACK costs ~40 ms; an answer from 127.0.0.1 takes a few


def median_round_trip(request: Callable[[], httpx.Response], count: int = 10) -> float:
    request()  # the connection is opened
    times = []
    for _ in range(count):
        start = time.perf_counter()
        assert request().status_code < 500
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def keep_alive_medians(base_url: str) -> tuple[float, float]:
    """The median round trips of GETs and of POSTs with a body, on one connection."""
    with httpx.Client(base_url=base_url) as client:
        gets = median_round_trip(lambda: client.get("/healthz"))
        posts = median_round_trip(
            lambda: client.post(
                "/webhooks/github", content=b"{}", headers={"X-GitHub-Event": "ping"}
            )
        )
    return gets, posts


def test_running_app_answers_keep_alive_requests_without_a_delayed_ack_stall(
    conveyor_home: Path,
) -> None:
    store = open_store(conveyor_home)
    context = ServerContext(conveyor_home, store, FakeStarter(), FakeControl(), FakeTokens())
    try:
        with running_app(create_app(context)) as base_url:
            gets, posts = keep_alive_medians(base_url)
    finally:
        store.close()
    assert max(gets, posts) < STALL, (gets, posts)


def test_conveyor_serve_answers_keep_alive_requests_without_a_delayed_ack_stall(
    conveyor_home: Path,
) -> None:
    with serving(conveyor_home) as (_process, base_url):
        gets, posts = keep_alive_medians(base_url)
    assert max(gets, posts) < STALL, (gets, posts)
