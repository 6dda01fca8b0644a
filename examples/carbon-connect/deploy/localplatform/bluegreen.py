"""API instances in two colours behind a switch: $DEPLOY_ROOT/<env>/live.json.

live.json = {"colour", "port", "tag", "previous": {"colour", "port", "tag"} | null}; clients (the
smoke test, a proxy) read the live port from it. `deploy` starts the idle colour with the new
image, waits for /health, switches (atomic rename), then stops the old colour; its tag stays in
`previous`, so `rollback` can start it again and switch back.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from . import images, processes
from .environments import Environment, read_json, write_json
from .errors import PlatformError
from .services import require_up

COLOURS = ("blue", "green")
HEALTH_TIMEOUT = 90
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def live(env: Environment) -> dict[str, Any] | None:
    data = read_json(env.live_file)
    return data if isinstance(data, dict) else None


def other(colour: str) -> str:
    return COLOURS[1 - COLOURS.index(colour)]


def deploy(env: Environment, tag: str) -> dict[str, Any]:
    images.require(tag)
    current = live(env)
    colour = other(current["colour"]) if current else COLOURS[0]
    port = start_colour(env, colour, tag)
    previous = _summary(current) if current else None
    switched = {"colour": colour, "port": port, "tag": tag, "previous": previous}
    write_json(env.live_file, switched)
    if current:
        processes.stop(env, api_name(current["colour"]))
    return switched


def rollback(env: Environment) -> dict[str, Any]:
    """Start the previous colour again (fresh: the database may have been restored), switch."""
    current = live(env)
    if not current or not current.get("previous"):
        raise PlatformError(f"{env.name} has no previous deployment to roll back to")
    target = current["previous"]
    port = start_colour(env, target["colour"], target["tag"], target.get("port"))
    switched = {**target, "port": port, "previous": _summary(current)}
    write_json(env.live_file, switched)
    processes.stop(env, api_name(current["colour"]))
    return switched


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    return {"colour": entry["colour"], "port": entry["port"], "tag": entry["tag"]}


def api_name(colour: str) -> str:
    return f"api-{colour}"


def start_colour(env: Environment, colour: str, tag: str, port: int | None = None) -> int:
    """(Re)start `colour` with image `tag` on a free port; return it once /health says ok."""
    app_env = require_up(env) | {"APP_VERSION": tag}
    image = images.require(tag)
    name = api_name(colour)
    processes.stop(env, name)
    if port is None or not processes.port_free(port):
        port = processes.free_port()
    argv = [images.python(tag), "-m", "uvicorn", "app.main:app"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    environment = processes.clean_environment(env.root, app_env)
    process = processes.start_detached(
        env, name, argv, environment, cwd=image / "backend", port=port, tag=tag
    )
    log = env.sub("logs") / f"{name}.log"
    try:
        what = f"API {colour} ({tag})"
        processes.wait_ready(what, process, lambda: healthy(port), HEALTH_TIMEOUT, log)
    except PlatformError:
        processes.stop(env, name)
        raise
    return port


def healthy(port: int) -> bool:
    status, body = get(port, "/health")
    return status == 200 and isinstance(body, dict) and body.get("status") == "ok"


def get(port: int, path: str) -> tuple[int, Any]:
    return request(port, "GET", path)


def request(port: int, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    """(status, decoded JSON body or text); status 0 when nothing answers."""
    data = json.dumps(payload).encode() if payload is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    call = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers
    )
    try:
        with _OPENER.open(call, timeout=10) as response:
            return response.status, _decode(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _decode(error.read())
    except (OSError, ValueError):
        return 0, None


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")
