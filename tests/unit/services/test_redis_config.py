"""How Redis-family images read `command:` and bitnami's variables."""

from __future__ import annotations

import pytest

from conveyor.errors import InfrastructureError
from conveyor.services.redis_config import (
    command_arguments,
    config_file_text,
    config_from_spec,
    listen_arguments,
)


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        (None, ()),
        ("redis-server --requirepass s3cret", ("--requirepass", "s3cret")),
        ("valkey-server --maxmemory 64mb", ("--maxmemory", "64mb")),
        ("/usr/local/bin/redis-server --port 7000", ("--port", "7000")),
        ("--appendonly yes", ("--appendonly", "yes")),
    ],
)
def test_command_arguments(command: str | None, arguments: tuple[str, ...]) -> None:
    assert command_arguments(command) == (arguments, ())


def test_other_commands_are_ignored_with_a_note() -> None:
    arguments, notes = command_arguments("sh -c 'redis-server'")
    assert arguments == ()
    assert "ignored" in notes[0]


def test_official_password_comes_from_the_command() -> None:
    config = config_from_spec({}, "redis-server --requirepass s3cret", "official", "REDIS")
    assert config.password == "s3cret"
    assert config.container_port == 6379
    assert config_from_spec({"REDIS_PASSWORD": "x"}, None, "official", "REDIS").password == ""


def test_bitnami_variables() -> None:
    env = {
        "REDIS_PASSWORD": "pw",
        "REDIS_PORT_NUMBER": "7000",
        "REDIS_EXTRA_FLAGS": "--maxmemory 10mb",
        "REDIS_DISABLE_COMMANDS": "FLUSHDB, FLUSHALL",
    }
    config = config_from_spec(env, None, "bitnami", "REDIS")
    assert config.password == "pw"
    assert config.container_port == 7000
    assert config.arguments == (
        "--maxmemory", "10mb",
        "--rename-command", "FLUSHDB", "",
        "--rename-command", "FLUSHALL", "",
    )  # fmt: skip
    valkey = config_from_spec({"VALKEY_PASSWORD": "v"}, None, "bitnami", "VALKEY")
    assert valkey.password == "v"


def test_bitnami_refuses_an_empty_password_unless_allowed() -> None:
    with pytest.raises(InfrastructureError, match="ALLOW_EMPTY_PASSWORD"):
        config_from_spec({}, None, "bitnami", "REDIS")
    assert (
        config_from_spec({"ALLOW_EMPTY_PASSWORD": "yes"}, None, "bitnami", "REDIS").password == ""
    )


def test_config_file_escapes_the_password() -> None:
    assert config_file_text("") == ""
    assert config_file_text('a"b\\c') == 'requirepass "a\\"b\\\\c"\n'


def test_listen_arguments_come_with_the_private_directory() -> None:
    arguments = listen_arguments(7001, ("127.0.0.1", "::1"), "/run/x")
    assert arguments[:6] == ("--port", "7001", "--bind", "127.0.0.1", "::1", "--dir")
