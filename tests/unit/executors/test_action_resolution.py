from __future__ import annotations

from pathlib import Path

from conveyor.engine.ports.actions import ActionOutcome, ActionRegistry
from conveyor.executors.local.action_resolution import (
    DockerImage,
    LocalAction,
    NativeAction,
    Unavailable,
    resolve_action,
)
from conveyor.executors.local.job_state import ExecutorOptions
from conveyor.executors.local.processes import StopPolicy

COMPOSITE = "runs:\n  using: composite\n  steps:\n  - run: 'true'\n    shell: sh\n"


class Native:
    def run(self, invocation: object, console: object) -> ActionOutcome:
        return ActionOutcome()


def _options(home: Path, directories: dict[str, Path] | None = None) -> ExecutorOptions:
    registry = ActionRegistry({"actions/checkout": Native()})
    return ExecutorOptions(home, registry, directories or {}, StopPolicy())


def test_local_native_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "ws" / "act").mkdir(parents=True)
    (tmp_path / "ws" / "act" / "action.yml").write_text(COMPOSITE)
    options = _options(tmp_path / "home")
    assert isinstance(resolve_action("./act", tmp_path / "ws", options), LocalAction)
    native = resolve_action("Actions/Checkout@v4", tmp_path / "ws", options)
    assert isinstance(native, NativeAction)
    assert native.ref.ref == "v4"
    unknown = resolve_action("acme/tool@v1", tmp_path / "ws", options)
    assert isinstance(unknown, Unavailable)
    assert "acme/tool@v1" in unknown.message
    assert "--action-dir acme/tool=PATH" in unknown.hint


def test_local_copies_win_over_native(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "sub").mkdir(parents=True)
    (mirror / "sub" / "action.yml").write_text(COMPOSITE)
    options = _options(tmp_path / "home", {"actions/checkout@v9": mirror})
    found = resolve_action("actions/checkout/sub@v9", tmp_path, options)
    assert isinstance(found, LocalAction)
    assert (found.repository, found.ref) == ("actions/checkout", "v9")
    assert isinstance(resolve_action("actions/checkout@v4", tmp_path, options), NativeAction)


def test_docker_forms(tmp_path: Path) -> None:
    options = _options(tmp_path / "home")
    assert resolve_action("docker://alpine", tmp_path, options) == DockerImage("docker://alpine")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "action.yml").write_text(
        "runs:\n  using: docker\n  image: Dockerfile\n  entrypoint: /e.sh\n"
        "  args: ['${{ inputs.who }}', 2]\n  env:\n    A: b\n"
    )
    found = resolve_action("./d", tmp_path, options)
    assert isinstance(found, LocalAction)
    definition = found.definition
    assert (definition.using, definition.image, definition.entrypoint) == (
        "docker",
        "Dockerfile",
        "/e.sh",
    )
    assert definition.args == ("${{ inputs.who }}", 2)
    assert definition.container_env == {"A": "b"}


def test_natives_and_local_copies_win_over_fetching(tmp_path: Path) -> None:
    from conveyor.git.action_cache import ActionCache
    from conveyor.git.action_remote import GitRemote
    from conveyor.git.remote_actions import RemoteActionResolver
    from tests.support.git_server import GitServer

    server = GitServer(tmp_path)
    for name in ("actions/checkout", "acme/copied", "acme/tool"):
        server.publish(name, {"sub/action.yml": COMPOSITE}, tags=("v4",))
    cache = ActionCache(tmp_path / "cache")
    remote = RemoteActionResolver(cache, GitRemote(server.file_url))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "action.yml").write_text(COMPOSITE)
    options = ExecutorOptions(
        tmp_path / "home",
        ActionRegistry({"actions/checkout": Native()}),
        {"acme/copied": mirror},
        StopPolicy(),
        remote=remote,
    )
    assert isinstance(resolve_action("actions/checkout@v4", tmp_path, options), NativeAction)
    copied = resolve_action("acme/copied@v4", tmp_path, options)
    assert isinstance(copied, LocalAction)
    assert copied.definition.directory == mirror
    fetched = resolve_action("acme/tool/sub@v4", tmp_path, options)
    assert isinstance(fetched, LocalAction)
    assert (fetched.repository, fetched.ref) == ("acme/tool", "v4")
    assert fetched.definition.directory.parent.parent == cache.repository_dir("acme", "tool")
    assert [entry.repository for entry in cache.entries()] == ["acme/tool"]
    outside = resolve_action("acme/tool/../../../..@v4", tmp_path, options)
    assert isinstance(outside, Unavailable)
    assert "the path leaves the repository" in outside.message
    missing = resolve_action("acme/tool@v5", tmp_path, options)
    assert isinstance(missing, Unavailable)
    assert "acme/tool has no tag or branch 'v5'" in missing.message
