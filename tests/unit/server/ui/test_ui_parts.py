"""The web UI's pure parts: log lines to HTML, the job graph's layout, the session cookie."""

from __future__ import annotations

from conveyor.engine.ports.store import Conclusion, RunStatus, StoredJob
from conveyor.server.principals import Principal, Role
from conveyor.server.ui import session
from conveyor.server.ui.job_graph import job_graph
from conveyor.server.ui.log_view import log_html


def test_log_colours_groups_timestamps_commands_and_escaping() -> None:
    html = log_html(
        "##[group]Set up\n\x1b[1;31mbold red\x1b[39m still bold\x1b[0m\n##[endgroup]\n"
        "2026-01-02T03:04:05.123Z stamped\n::warning file=a.py::careful\n<script>x</script>\n"
        "\x1b[2K\x1b]0;title\x07cleared\n"
    )
    assert '<details class="group"><summary class="line" data-n="1">Set up</summary>' in html
    assert '<span class="fg-red bold">bold red</span><span class="bold"> still bold</span>' in html
    assert '<span class="ts">2026-01-02T03:04:05.123Z</span>stamped' in html
    assert '<div class="line cmd-warning" data-n="4">careful</div>' in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html
    assert ">cleared</div>" in html
    assert html.count("<details") == html.count("</details>") == 1


def test_a_group_left_open_is_closed_at_the_end() -> None:
    html = log_html("::group::A\none\n::group::B\ntwo\n")
    assert html.count("<details") == html.count("</details>") == 2


def _job(
    key: str, job_id: str, state: Conclusion | None, matrix: dict[str, object] | None = None
) -> StoredJob:
    status = RunStatus.COMPLETED if state else RunStatus.IN_PROGRESS
    return StoredJob(1, 1, key, job_id, key, status, state, matrix)


def test_graph_columns_by_depth_matrix_legs_grouped_and_worst_state() -> None:
    jobs = [
        _job("build", "build", Conclusion.SUCCESS),
        _job("test (a)", "test", Conclusion.SUCCESS, {"os": "a"}),
        _job("test (b)", "test", Conclusion.FAILURE, {"os": "b"}),
    ]
    needs = {"build": (), "test": ("build",), "lint": (), "deploy": ("test", "lint")}
    graph = job_graph(jobs, needs)
    nodes = {n.job_id: n for n in graph.nodes}
    assert nodes["build"].x == nodes["lint"].x == 0
    assert nodes["test"].x > 0
    assert nodes["deploy"].x > nodes["test"].x
    assert [leg.key for leg in nodes["test"].legs] == ["test (a)", "test (b)"]
    assert nodes["test"].state == "failure"
    assert nodes["deploy"].state == "queued"
    assert nodes["deploy"].legs == ()
    assert {(e.source, e.target) for e in graph.edges} == {
        ("build", "test"),
        ("test", "deploy"),
        ("lint", "deploy"),
    }


def test_jobs_needing_the_same_jobs_share_a_junction() -> None:
    firsts = [f"a{i}" for i in range(5)]
    needs: dict[str, tuple[str, ...]] = dict.fromkeys(firsts, ())
    needs |= {f"b{i}": tuple(firsts) for i in range(5)}
    graph = job_graph([], needs)
    assert len(graph.edges) == 10  # not 25


def test_session_cookie_round_trip_tamper_and_expiry() -> None:
    key = b"k" * 32
    made = session.new_session(1000.0, Principal("ann", Role.ADMIN))
    cookie = session.encode(made, key)
    assert session.decode(cookie, key, 1001.0) == made
    assert session.decode(cookie, b"x" * 32, 1001.0) is None
    assert session.decode(cookie.replace(".", "x."), key, 1001.0) is None
    assert session.decode(cookie, key, made.expires + 1) is None
    assert session.csrf_valid(made, key, session.csrf_token(made, key))
    assert not session.csrf_valid(session.new_session(1000.0), key, session.csrf_token(made, key))


def test_a_live_log_goes_on_where_its_first_render_ended() -> None:
    from conveyor.server.ui.log_view import LiveLog, live_log_html

    shown = live_log_html("one\n::group::Tools\ngcc\n")
    assert (shown.lines, shown.in_group) == (3, True)
    assert shown.html.endswith("</details>")
    live = LiveLog(shown.lines, shown.in_group)
    assert live.events("\x1b[33mld\x1b[0m") == [
        ("line", '<div class="line" data-n="4"><span class="fg-yellow">ld</span></div>')
    ]
    assert live.events("::group::Tests") == [
        ("endgroup", ""),
        (
            "group",
            '<details class="group"><summary class="line" data-n="5">Tests</summary></details>',
        ),
    ]
    assert live.events("::endgroup::") == [("endgroup", "")]
    assert live.events("<b>") == [("line", '<div class="line" data-n="6">&lt;b&gt;</div>')]
