"""match_workflow against hand-built `on:` models: GitHub's rules and the reasons given."""

from __future__ import annotations

import pytest

from conveyor.model.events import Event
from conveyor.model.triggers import InputSpec
from conveyor.triggers import GITHUB_CHANGED_FILES_LIMIT, match_workflow
from tests.unit.triggers.factories import on, pull_request, push, trigger


def test_event_not_in_on_does_not_fire_and_says_what_the_workflow_listens_to() -> None:
    result = match_workflow(on("pull_request", "workflow_dispatch"), push("refs/heads/main"))
    assert not result.fires
    assert result.reason == (
        "the workflow does not run on push (on: pull_request, workflow_dispatch)"
    )


def test_bare_event_fires_for_any_branch_or_tag() -> None:
    assert match_workflow(on("push"), push("refs/heads/feature/x")).fires
    result = match_workflow(on("push"), push("refs/tags/v1.0"))
    assert result.fires
    assert result.reason == "on: push (no filters)"


def test_branch_not_in_branches_names_the_list() -> None:
    triggers = on(trigger("push", branches=["main", "master"]))
    result = match_workflow(triggers, push("refs/heads/feature/x"))
    assert not result.fires
    assert result.reason == "branch 'feature/x' is not in branches [main, master]"


def test_branch_in_branches_fires_naming_the_pattern() -> None:
    triggers = on(trigger("push", branches=["main", "releases/**"]))
    result = match_workflow(triggers, push("refs/heads/releases/v1/rc"))
    assert result.fires
    assert result.reason == "branch 'releases/v1/rc' matches 'releases/**' in branches"


def test_negated_branch_pattern_excludes_and_says_so() -> None:
    triggers = on(trigger("push", branches=["releases/**", "!releases/**-alpha"]))
    result = match_workflow(triggers, push("refs/heads/releases/2-alpha"))
    assert not result.fires
    assert (
        result.reason == "branch 'releases/2-alpha' is excluded by '!releases/**-alpha' in branches"
    )
    assert match_workflow(triggers, push("refs/heads/releases/2")).fires


def test_branches_ignore() -> None:
    triggers = on(trigger("push", branches_ignore=["dependabot/**"]))
    result = match_workflow(triggers, push("refs/heads/dependabot/pip/x"))
    assert not result.fires
    assert result.reason == "branch 'dependabot/pip/x' matches 'dependabot/**' in branches-ignore"
    assert match_workflow(triggers, push("refs/heads/main")).fires


def test_only_branch_filters_means_no_run_for_tags() -> None:
    triggers = on(trigger("push", branches=["**"]))
    result = match_workflow(triggers, push("refs/tags/v1"))
    assert not result.fires
    assert result.reason == "tag 'v1' was pushed, but the workflow filters only branches"


def test_only_tag_filters_means_no_run_for_branches() -> None:
    triggers = on(trigger("push", tags=["v*"]))
    result = match_workflow(triggers, push("refs/heads/main"))
    assert not result.fires
    assert result.reason == "branch 'main' was pushed, but the workflow filters only tags"
    assert match_workflow(triggers, push("refs/tags/v2.0")).fires


def test_tags_and_tags_ignore() -> None:
    assert not match_workflow(on(trigger("push", tags=["v*"])), push("refs/tags/nightly")).fires
    ignoring = on(trigger("push", tags_ignore=["*-rc*"]))
    assert not match_workflow(ignoring, push("refs/tags/v1-rc1")).fires
    assert match_workflow(ignoring, push("refs/tags/v1")).fires


def test_paths_ignore_matching_every_file_does_not_fire() -> None:
    triggers = on(trigger("push", paths_ignore=["docs/**", "**.md"]))
    event = push("refs/heads/main", ["docs/a.md", "README.md", "docs/img/x.png"])
    result = match_workflow(triggers, event)
    assert not result.fires
    assert result.reason == "paths-ignore matched all 3 changed files"


def test_paths_ignore_with_one_code_file_fires() -> None:
    triggers = on(trigger("push", paths_ignore=["docs/**", "**.md"]))
    result = match_workflow(triggers, push("refs/heads/main", ["docs/a.md", "src/app.py"]))
    assert result.fires
    assert result.reason == "changed file 'src/app.py' is not matched by paths-ignore"


def test_paths_with_no_matching_file() -> None:
    triggers = on(trigger("push", paths=["src/**", "!src/**/*.md"]))
    result = match_workflow(triggers, push("refs/heads/main", ["docs/a.md", "src/notes.md"]))
    assert not result.fires
    assert result.reason == "none of the 2 changed files match paths [src/**, '!src/**/*.md']"
    assert match_workflow(triggers, push("refs/heads/main", ["src/app.py"])).fires


def test_branch_and_paths_filters_must_both_pass() -> None:
    triggers = on(trigger("push", branches=["main"], paths=["src/**"]))
    assert match_workflow(triggers, push("refs/heads/main", ["src/a.py"])).fires
    assert not match_workflow(triggers, push("refs/heads/dev", ["src/a.py"])).fires
    result = match_workflow(triggers, push("refs/heads/main", ["docs/a.md"]))
    assert not result.fires
    assert result.reason == "the only changed file 'docs/a.md' does not match paths [src/**]"


def test_path_filters_are_not_evaluated_for_tag_pushes() -> None:
    triggers = on(trigger("push", paths=["src/**"]))
    assert match_workflow(triggers, push("refs/tags/v1", ["docs/a.md"])).fires
    both = on(trigger("push", tags=["v*"], paths=["src/**"]))
    assert match_workflow(both, push("refs/tags/v1", ["docs/a.md"])).fires


def test_no_changed_files_means_no_run_when_paths_are_filtered() -> None:
    triggers = on(trigger("push", paths_ignore=["docs/**"]))
    result = match_workflow(triggers, push("refs/heads/main", []))
    assert not result.fires
    assert result.reason == "no files changed, and the workflow filters paths"


def test_unknown_changed_files_cannot_exclude() -> None:
    triggers = on(trigger("push", paths=["src/**"]))
    result = match_workflow(triggers, push("refs/heads/main", None))
    assert result.fires
    assert "changed files are unknown" in result.reason


def test_changed_files_limit_mimics_githubs_300_files() -> None:
    files = [f"docs/{i}.md" for i in range(GITHUB_CHANGED_FILES_LIMIT)] + ["src/app.py"]
    triggers = on(trigger("push", paths=["src/**"]))
    assert match_workflow(triggers, push("refs/heads/main", files)).fires
    limited = match_workflow(
        triggers, push("refs/heads/main", files), changed_files_limit=GITHUB_CHANGED_FILES_LIMIT
    )
    assert not limited.fires


@pytest.mark.parametrize(
    "message",
    [
        "fix typo [skip ci]",
        "[CI SKIP] docs",
        "wip [no ci]",
        "x [skip actions]",
        "x [actions skip]",
        "subject\n\nbody\n\nskip-checks: true",
        "subject\n\nskip-checks:true",
    ],
)
def test_skip_instructions_in_the_head_commit_stop_push_and_pull_request(message: str) -> None:
    result = match_workflow(on("push"), push("refs/heads/main", message=message))
    assert not result.fires
    assert result.reason.startswith("the head commit message contains")


def test_skip_instruction_is_read_from_the_push_payload_too() -> None:
    event = Event(
        "push",
        ref="refs/heads/main",
        payload={"head_commit": {"message": "docs [skip ci]"}},
    )
    assert not match_workflow(on("push"), event).fires


def test_skip_instructions_do_not_apply_to_pull_request_target() -> None:
    event = Event(
        "pull_request_target",
        action="opened",
        base_ref="main",
        head_commit_message="[skip ci]",
    )
    assert match_workflow(on("pull_request_target"), event).fires


def test_skip_trailer_must_be_in_the_last_paragraph() -> None:
    message = "subject\n\nskip-checks: true\n\nmore text"
    assert match_workflow(on("push"), push("refs/heads/main", message=message)).fires


@pytest.mark.parametrize(
    ("action", "fires"),
    [("opened", True), ("synchronize", True), ("reopened", True), ("closed", False)],
)
def test_pull_request_default_types(action: str, fires: bool) -> None:
    result = match_workflow(on("pull_request"), pull_request(action))
    assert result.fires is fires
    if not fires:
        assert result.reason == (
            "action 'closed' is not in the default types of pull_request "
            "[opened, synchronize, reopened]"
        )


def test_pull_request_types_replace_the_default() -> None:
    triggers = on(trigger("pull_request", types=["closed", "labeled"]))
    assert match_workflow(triggers, pull_request("labeled")).fires
    result = match_workflow(triggers, pull_request("opened"))
    assert not result.fires
    assert result.reason == "action 'opened' is not in types [closed, labeled]"


def test_other_events_fire_for_every_activity_type_without_types() -> None:
    event = Event("release", action="prereleased", ref="refs/tags/v1")
    assert match_workflow(on("release"), event).fires
    typed = on(trigger("release", types=["published"]))
    assert not match_workflow(typed, event).fires


def test_pull_request_branch_filters_look_at_the_base_branch() -> None:
    triggers = on(trigger("pull_request", branches=["main"]))
    assert match_workflow(triggers, pull_request(base="main", head="feature")).fires
    result = match_workflow(triggers, pull_request(base="develop", head="main"))
    assert not result.fires
    assert result.reason == "base branch 'develop' is not in branches [main]"


def test_pull_request_paths_and_types_both_apply() -> None:
    triggers = on(trigger("pull_request", types=["opened"], paths=["src/**"]))
    assert match_workflow(triggers, pull_request("opened", files=["src/a.py"])).fires
    assert not match_workflow(triggers, pull_request("opened", files=["README.md"])).fires


def test_pull_request_target_is_a_separate_event() -> None:
    event = pull_request(name="pull_request_target")
    assert not match_workflow(on("pull_request"), event).fires
    assert match_workflow(on(trigger("pull_request_target", branches=["main"])), event).fires


def test_a_fired_reason_lists_every_check_passed() -> None:
    triggers = on(trigger("pull_request", branches=["main"], paths=["src/**"]))
    result = match_workflow(triggers, pull_request("synchronize", files=["src/a.py"]))
    assert result.reason == (
        "action 'synchronize' is in the default types of pull_request; "
        "base branch 'main' matches 'main' in branches; changed file 'src/a.py' matches paths"
    )


def test_invalid_pattern_is_a_non_match_with_the_error() -> None:
    result = match_workflow(on(trigger("push", branches=["[z-a]"])), push("refs/heads/main"))
    assert not result.fires
    assert "invalid filter pattern '[z-a]'" in result.reason


def test_both_include_and_ignore_lists_is_a_non_match() -> None:
    triggers = on(trigger("push", branches=["main"], branches_ignore=["dev"]))
    result = match_workflow(triggers, push("refs/heads/main"))
    assert not result.fires
    assert result.reason == "branches and branches-ignore cannot both be set for one event"


def test_schedule_matches_its_cron_string() -> None:
    triggers = on(trigger("schedule", crons=["0 3 * * *", "30 12 * * 1-5"]))
    assert match_workflow(triggers, Event("schedule", schedule="30 12 * * 1-5")).fires
    result = match_workflow(triggers, Event("schedule", schedule="0 4 * * *"))
    assert not result.fires
    assert result.reason == (
        "cron '0 4 * * *' is not among the workflow's crons ['0 3 * * *', '30 12 * * 1-5']"
    )
    unspecified = match_workflow(triggers, Event("schedule"))
    assert unspecified.fires
    assert unspecified.reason == "scheduled by cron '0 3 * * *'"


def test_workflow_dispatch_checks_inputs() -> None:
    spec = InputSpec("level", type="choice", options=("info", "debug"), default="info")
    triggers = on(trigger("workflow_dispatch", inputs=[spec]))
    assert match_workflow(triggers, Event("workflow_dispatch", inputs={"level": "debug"})).fires
    bad = match_workflow(triggers, Event("workflow_dispatch", inputs={"level": "trace"}))
    assert not bad.fires
    assert bad.reason == (
        "workflow_dispatch input 'level' must be one of [info, debug], got 'trace'"
    )
    undeclared = match_workflow(triggers, Event("workflow_dispatch", inputs={"x": "1"}))
    assert undeclared.reason == "workflow_dispatch input 'x' is not declared (declared: level)"


def test_workflow_call_fires_only_for_reusable_workflows() -> None:
    assert match_workflow(on("workflow_call"), Event("workflow_call")).fires
    assert not match_workflow(on("push"), Event("workflow_call")).fires


def test_workflow_run_filters_upstream_name_and_head_branch() -> None:
    triggers = on(trigger("workflow_run", workflows=["CI"], branches=["main"]))
    payload = {"action": "completed", "workflow_run": {"name": "CI", "head_branch": "main"}}
    event = Event("workflow_run", action="completed", payload=payload)
    assert match_workflow(triggers, event).fires
    other = {"workflow_run": {"name": "Docs", "head_branch": "main"}}
    result = match_workflow(triggers, Event("workflow_run", payload=other))
    assert result.reason == "upstream workflow 'Docs' is not in workflows [CI]"
    feature = {"workflow_run": {"name": "CI", "head_branch": "feature"}}
    assert not match_workflow(triggers, Event("workflow_run", payload=feature)).fires
