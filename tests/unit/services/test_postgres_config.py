"""How PostgreSQL images read their environment; the throwaway server's arguments."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from conveyor.errors import InfrastructureError
from conveyor.services.postgres_config import (
    PostgresCredentials,
    address_arguments,
    credentials_from_env,
    hba_conf,
    password_sql,
    tuning_arguments,
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"POSTGRES_PASSWORD": "pw"},
            PostgresCredentials("postgres", "pw", "postgres", "scram-sha-256"),
        ),
        (
            {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "pw"},
            PostgresCredentials("app", "pw", "app", "scram-sha-256"),
        ),
        (
            {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "pw", "POSTGRES_DB": "db"},
            PostgresCredentials("app", "pw", "db", "scram-sha-256"),
        ),
        (
            {"POSTGRES_HOST_AUTH_METHOD": "trust"},
            PostgresCredentials("postgres", "", "postgres", "trust"),
        ),
        (
            {"POSTGRES_PASSWORD": "pw", "POSTGRES_INITDB_ARGS": "--data-checksums -E 'UTF8'"},
            PostgresCredentials(
                "postgres", "pw", "postgres", "scram-sha-256", ("--data-checksums", "-E", "UTF8")
            ),
        ),
    ],
)
def test_official_image_variables(env: Mapping[str, str], expected: PostgresCredentials) -> None:
    assert credentials_from_env(env) == expected


def test_official_image_refuses_to_start_without_a_password() -> None:
    with pytest.raises(InfrastructureError, match="POSTGRES_PASSWORD"):
        credentials_from_env({"POSTGRES_USER": "app"})


def test_bitnami_variables() -> None:
    env = {
        "POSTGRESQL_USERNAME": "app",
        "POSTGRESQL_PASSWORD": "pw",
        "POSTGRESQL_DATABASE": "db",
    }
    assert credentials_from_env(env, "bitnami") == PostgresCredentials("app", "pw", "db", "md5")
    empty = credentials_from_env({"ALLOW_EMPTY_PASSWORD": "yes"}, "bitnami")
    assert empty == PostgresCredentials("postgres", "", "postgres", "trust")
    with pytest.raises(InfrastructureError, match="ALLOW_EMPTY_PASSWORD"):
        credentials_from_env({}, "bitnami")


def test_hba_enforces_the_method_on_every_tcp_client() -> None:
    lines = hba_conf(PostgresCredentials("u", "p", "d", "scram-sha-256")).splitlines()
    assert lines[1:] == ["local all all trust", "host all all all scram-sha-256"]


def pairs(arguments: list[str]) -> dict[str, str]:
    assert arguments[::2] == ["-c"] * (len(arguments) // 2)
    return dict(item.split("=", 1) for item in arguments[1::2])


def test_tuning_for_a_throwaway_cluster() -> None:
    credentials = PostgresCredentials("u", "p", "d", "scram-sha-256")
    settings = pairs(tuning_arguments(16, credentials, {"max_connections": "300"}))
    assert settings["fsync"] == "off"
    assert settings["full_page_writes"] == "off"
    assert settings["synchronous_commit"] == "off"
    assert settings["autovacuum"] == "off"
    assert settings["max_connections"] == "300"
    assert "io_method" not in settings
    assert pairs(tuning_arguments(18, credentials, {}))["io_method"] == "sync"
    md5 = PostgresCredentials("u", "p", "d", "md5")
    assert pairs(tuning_arguments(16, md5, {}))["password_encryption"] == "md5"


def test_address_arguments() -> None:
    settings = pairs(address_arguments(5433, "/run/x", ("127.0.0.1", "::1")))
    assert settings == {
        "port": "5433",
        "listen_addresses": "127.0.0.1,::1",
        "unix_socket_directories": "/run/x",
    }


def test_password_sql_quotes_both_names_and_values() -> None:
    sql = password_sql(PostgresCredentials('we"ird', "it's", "d", "scram-sha-256"))
    assert sql == "ALTER ROLE \"we\"\"ird\" PASSWORD 'it''s';\n"
