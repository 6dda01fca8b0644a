"""Who may read the server's API without a token: `anonymous_read` (off unless turned on).

`CONVEYOR_ANONYMOUS_READ` (1/true/yes or 0/false/no) wins over `[server] anonymous_read` in the
user's config.toml; `conveyor serve` hands the value to `ServerContext.anonymous_read`."""

from __future__ import annotations

import os
from collections.abc import Mapping

from conveyor.bootstrap.settings import read_config, user_config_path
from conveyor.errors import UsageError

VARIABLE = "CONVEYOR_ANONYMOUS_READ"
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def anonymous_read(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if VARIABLE in env:
        word = env[VARIABLE].strip().lower()
        if word not in TRUE | FALSE:
            raise UsageError(f"{VARIABLE}={env[VARIABLE]!r}: use 1 or 0")
        return word in TRUE
    config = read_config(user_config_path())
    server = config.data.get("server", {})
    value: object = server.get("anonymous_read", False) if isinstance(server, Mapping) else False
    if not isinstance(value, bool):
        raise UsageError(f"{config.path}: [server] anonymous_read must be true or false")
    return value
