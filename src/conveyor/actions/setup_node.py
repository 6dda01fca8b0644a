"""actions/setup-node: an installed node satisfying `node-version`, with a per-job npm prefix.

`node-version` (or `node-version-file`: .nvmrc, .node-version, .tool-versions, package.json's
`engines.node`) picks the highest installed node that satisfies it; `lts/*`, `latest`, `current`
and `node` accept the highest installed. Its directory goes first on PATH; `npm install -g` goes
to a prefix inside the job directory (NPM_CONFIG_PREFIX), never to the host's. `registry-url`
writes an .npmrc (NPM_CONFIG_USERCONFIG) reading NODE_AUTH_TOKEN, as setup-node does.
Outputs: `node-version` (e.g. v20.11.1), `cache-hit` ('false').
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conveyor.actions.interpreters import Interpreter, identify, node_candidates
from conveyor.actions.versions import VersionSpecError, best_match, version_text
from conveyor.engine.ports.actions import (
    ActionConsole,
    ActionInvocation,
    ActionOutcome,
    unavailable,
)

_ANY = {"lts/*", "latest", "current", "node", "*"}


class SetupNode:
    def run(self, invocation: ActionInvocation, console: ActionConsole) -> ActionOutcome:
        spec = invocation.input("node-version") or _version_file(invocation)
        installed = identify(
            node_candidates(invocation.env, invocation.tool_cache), "node", invocation.tool_cache
        )
        node = _choose(spec, installed)
        if node is None:
            found = ", ".join(sorted({version_text(n.version) for n in installed})) or "none"
            return unavailable(
                f"setup-node: no installed node satisfies node-version '{spec}' (installed: "
                f"{found}). conveyor does not download node: install one (nvm, a package) or "
                "change node-version."
            )
        prefix = Path(invocation.job_dir) / "npm-global"
        (prefix / "bin").mkdir(parents=True, exist_ok=True)
        env = {"NPM_CONFIG_PREFIX": str(prefix)}
        registry = invocation.input("registry-url")
        if registry:
            env.update(_npmrc(invocation, registry))
        console.log(f"Using node v{version_text(node.version)} from {node.path}")
        return ActionOutcome(
            outputs={"node-version": f"v{version_text(node.version)}", "cache-hit": "false"},
            env=env,
            path=(str(Path(node.path).parent), str(prefix / "bin")),
        )


def _choose(spec: str, installed: list[Interpreter]) -> Interpreter | None:
    text = spec.strip().lower()
    if not text or text in _ANY or text.startswith("lts/"):
        return max(installed, key=lambda n: n.version, default=None)
    try:
        found = best_match(text, ((n.version, n) for n in installed))
    except VersionSpecError:
        return None
    return found[1] if found else None


def _version_file(invocation: ActionInvocation) -> str:
    name = invocation.input("node-version-file")
    if not name:
        return ""
    path = Path(invocation.workspace) / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    if path.name == "package.json":
        return _engines(text)
    if path.name == ".tool-versions":
        match = re.search(r"^(?:nodejs|node)\s+(\S+)", text, re.MULTILINE)
        return match.group(1) if match else ""
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def _engines(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    engines = data.get("engines") if isinstance(data, dict) else None
    return str(engines.get("node", "")) if isinstance(engines, dict) else ""


def _npmrc(invocation: ActionInvocation, registry: str) -> dict[str, str]:
    url = registry if registry.endswith("/") else registry + "/"
    host = re.sub(r"^https?:", "", url)
    scope = invocation.input("scope")
    lines = [f"{host}:_authToken=${{NODE_AUTH_TOKEN}}"]
    lines.append(f"@{scope.lstrip('@')}:registry={url}" if scope else f"registry={url}")
    npmrc = Path(invocation.temp) / ".npmrc"
    npmrc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"NPM_CONFIG_USERCONFIG": str(npmrc), "NODE_AUTH_TOKEN": "XXXXX-XXXXX-XXXXX-XXXXX"}
