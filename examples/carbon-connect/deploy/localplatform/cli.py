"""`platform.py COMMAND`: parse, run one command, print what it did (`--json`: one object)."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from . import backup, bluegreen, images, migrate, postgres, processes, redis, smoke, workers
from .environments import (
    ENVIRONMENTS,
    Environment,
    check_tag,
    deploy_root,
    existing_environments,
)
from .errors import PlatformError

Result = tuple[dict[str, Any], str]  # (the JSON answer, the line a person reads)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise PlatformError(f"{self.prog}: {message}", usage=True)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="platform.py", description="The Carbon Connect local platform.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (_, options) in COMMANDS.items():
        sub = commands.add_parser(name)
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        for option in options:
            _add(sub, option)
    return top


def _add(sub: argparse.ArgumentParser, option: str) -> None:
    if option == "env":
        sub.add_argument("--env", required=True, choices=ENVIRONMENTS)
    elif option == "env?":
        sub.add_argument("--env", choices=ENVIRONMENTS)
        sub.add_argument("--all", action="store_true", help="every environment")
    elif option == "tag":
        sub.add_argument("--tag", required=True)
    elif option == "source":
        sub.add_argument("--source", default="backend", help="the backend directory")
    elif option == "restore":
        sub.add_argument("--restore", metavar="BACKUP_ID", help="restore this backup first")
    elif option == "id":
        sub.add_argument("--id", required=True, metavar="BACKUP_ID")
    elif option == "secrets":
        sub.add_argument("--show-secrets", action="store_true", help="include the URLs")


def main(argv: list[str]) -> int:
    try:
        arguments = parser().parse_args(argv)
        run, _ = COMMANDS[arguments.command]
        with locked(arguments):
            answer, line = run(arguments)
    except PlatformError as error:
        print(f"platform: error: {error}", file=sys.stderr)
        return 2 if error.usage else 1
    except KeyboardInterrupt:
        return 130
    print(json.dumps(answer, sort_keys=True) if arguments.json else line)
    return 0


@contextlib.contextmanager
def locked(arguments: argparse.Namespace) -> Iterator[None]:
    """One command at a time per environment (or per image tag, for build)."""
    if getattr(arguments, "env", None):
        path = Environment.named(arguments.env).directory / ".lock"
    elif arguments.command == "build":
        path = deploy_root() / "images" / f".{check_tag(arguments.tag)}.lock"
    else:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def github_output(**values: object) -> None:
    """Append `name=value` lines to $GITHUB_OUTPUT when a workflow step runs us."""
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a") as out:
            for name, value in values.items():
                text = str(value).lower() if isinstance(value, bool) else str(value)
                out.write(f"{name}={text}\n")


def _env(arguments: argparse.Namespace) -> Environment:
    return Environment.named(arguments.env)


def cmd_build(arguments: argparse.Namespace) -> Result:
    data, built = images.build(arguments.tag, arguments.source)
    github_output(image=data["tag"], commit=data["commit"])
    verb = "built" if built else "already built"
    return {**data, "built": built}, f"image {data['tag']} {verb} (commit {data['commit'][:12]})"


def cmd_image_exists(arguments: argparse.Namespace) -> Result:
    data = images.manifest(arguments.tag)
    if data is None:
        raise PlatformError(f"image {arguments.tag!r} does not exist")
    return data, f"image {data['tag']} exists (commit {data['commit'][:12]}, {data['created']})"


def cmd_up(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    pg, pg_started = postgres.ensure_running(env)
    rd, rd_started = redis.ensure_running(env)
    services = {
        "postgres": {"port": pg["port"], "started": pg_started},
        "redis": {"port": rd["port"], "started": rd_started},
    }
    answer = {"env": env.name, **services}
    said = [
        f"{n} on port {a['port']} {'started' if a['started'] else 'already running'}"
        for n, a in (("PostgreSQL", services["postgres"]), ("Redis", services["redis"]))
    ]
    return answer, f"{env.name}: " + "; ".join(said)


def cmd_backup(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    backup_id, path = backup.create(env)
    github_output(**{"backup-id": backup_id})
    return {"env": env.name, "id": backup_id, "path": str(path)}, backup_id


def cmd_migrate(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    result = migrate.migrate(env, arguments.tag)
    github_output(migrated=result["migrated"], revision=result["to"] or "")
    what = (
        f"migrated {result['from']} -> {result['to']}"
        if result["migrated"]
        else "nothing to migrate"
    )
    return {"env": env.name, **result}, f"{env.name}: {what} (revision {result['to']})"


def cmd_deploy_api(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    switched = bluegreen.deploy(env, arguments.tag)
    github_output(colour=switched["colour"], port=switched["port"])
    return {"env": env.name, **switched}, _switch_line(env, switched)


def _switch_line(env: Environment, switched: dict[str, Any]) -> str:
    line = f"{env.name}: {switched['colour']} ({switched['tag']}) live on port {switched['port']}"
    previous = switched.get("previous")
    return line + (f"; {previous['colour']} ({previous['tag']}) stopped" if previous else "")


def cmd_deploy_workers(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    started = workers.deploy(env, arguments.tag)
    return {"env": env.name, **started}, f"{env.name}: worker and beat running {arguments.tag}"


def cmd_smoke(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    result = smoke.smoke(env)
    line = f"{env.name}: smoke ok — {result['colour']} ({result['tag']}) healthy, "
    line += f"vector query found {result['query']!r}"
    return {"env": env.name, **result}, line


def cmd_rollback(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    restored = None
    if arguments.restore:
        restored = str(backup.restore(env, arguments.restore))
    switched = bluegreen.rollback(env)
    github_output(colour=switched["colour"], port=switched["port"])
    line = _switch_line(env, switched).replace(" live ", " live again ")
    line += f"; database restored from {arguments.restore}" if restored else ""
    if workers.running_tag(env) not in (None, switched["tag"]):
        workers.deploy(env, switched["tag"])
        line += f"; worker and beat back on {switched['tag']}"
    return {"env": env.name, "restored": arguments.restore, **switched}, line


def cmd_restore(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    path = backup.restore(env, arguments.id)
    answer = {"env": env.name, "restored": arguments.id, "path": str(path)}
    return answer, f"{env.name}: database restored from {arguments.id}"


def cmd_status(arguments: argparse.Namespace) -> Result:
    env = _env(arguments)
    state = env.state()
    names = [postgres.NAME, redis.NAME, "api-blue", "api-green", "worker", "beat"]
    parts = {name: _process_status(env, name) for name in names}
    answer: dict[str, Any] = {"env": env.name, "live": bluegreen.live(env), "processes": parts}
    if arguments.show_secrets and "postgres" in state and "redis" in state:
        answer["database_url"] = postgres.url(state["postgres"])
        answer["redis_url"] = redis.url(state["redis"])
    running = [n for n, p in parts.items() if p["running"]]
    live = answer["live"]
    line = f"{env.name}: running {', '.join(running) or 'nothing'}"
    line += f"; live {live['colour']} ({live['tag']}) on port {live['port']}" if live else ""
    return answer, line


def _process_status(env: Environment, name: str) -> dict[str, Any]:
    found = processes.tracked(env, name)
    alive = found is not None and found.alive()
    return {
        "running": alive,
        "pid": found.pid if alive and found else None,
        "port": found.port if found else None,
        "tag": found.tag if found else None,
    }


def cmd_down(arguments: argparse.Namespace) -> Result:
    if arguments.all == bool(arguments.env):
        raise PlatformError("down: give --env E or --all", usage=True)
    root = deploy_root()
    envs = existing_environments(root) if arguments.all else [_env(arguments)]
    stopped = {env.name: _down(env) for env in envs}
    swept = processes.sweep(root) if arguments.all else 0
    said = "; ".join(f"{n}: stopped {', '.join(s) or 'nothing'}" for n, s in stopped.items())
    return {"stopped": stopped, "swept": swept}, said or "nothing to stop"


def _down(env: Environment) -> list[str]:
    stopped = [f"api-{c}" for c in bluegreen.COLOURS if processes.stop(env, bluegreen.api_name(c))]
    stopped += workers.stop(env)
    stopped += [redis.NAME] if redis.stop(env) else []
    stopped += [postgres.NAME] if postgres.stop(env) else []
    return stopped


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], Result], tuple[str, ...]]] = {
    "build": (cmd_build, ("tag", "source")),
    "image-exists": (cmd_image_exists, ("tag",)),
    "up": (cmd_up, ("env",)),
    "backup": (cmd_backup, ("env",)),
    "migrate": (cmd_migrate, ("env", "tag")),
    "deploy-api": (cmd_deploy_api, ("env", "tag")),
    "deploy-workers": (cmd_deploy_workers, ("env", "tag")),
    "smoke": (cmd_smoke, ("env",)),
    "rollback": (cmd_rollback, ("env", "restore")),
    "restore": (cmd_restore, ("env", "id")),
    "status": (cmd_status, ("env", "secrets")),
    "down": (cmd_down, ("env?",)),
}
