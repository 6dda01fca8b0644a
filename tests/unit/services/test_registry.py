"""Image → provider rules, built in and from `[services]` settings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from conveyor.engine.ports.services import ContainerPolicy, ServiceProvider
from conveyor.errors import InfrastructureError, UsageError
from conveyor.services.fake import FakeServiceProvider
from conveyor.services.postgres import PostgresProvider
from conveyor.services.redis import RedisProvider
from conveyor.services.registry import (
    LocalServiceRegistry,
    ProviderRule,
    normalize_image,
    registry_from_settings,
    rules_from_table,
)
from conveyor.services.runtime import ServiceRuntime


@pytest.mark.parametrize(
    ("image", "normal"),
    [
        ("postgres", "postgres:latest"),
        ("postgres:16", "postgres:16"),
        ("docker.io/library/postgres:16-alpine", "postgres:16-alpine"),
        ("library/redis", "redis:latest"),
        ("Redis:7", "redis:7"),
        ("pgvector/pgvector:pg16", "pgvector/pgvector:pg16"),
        ("ghcr.io/acme/db:1.2", "ghcr.io/acme/db:1.2"),
        ("localhost:5000/cache:dev", "localhost:5000/cache:dev"),
        ("postgres@sha256:abcdef", "postgres:latest"),
        ("redis:7@sha256:abcdef", "redis:7"),
    ],
)
def test_normalize_image(image: str, normal: str) -> None:
    assert normalize_image(image) == normal


@pytest.fixture
def registry() -> LocalServiceRegistry:
    return LocalServiceRegistry(ServiceRuntime())


@pytest.mark.parametrize(
    ("image", "provider", "details"),
    [
        ("postgres", PostgresProvider, {"extensions": ()}),
        ("postgres:16", PostgresProvider, {"extensions": ()}),
        ("pgvector/pgvector:pg16", PostgresProvider, {"extensions": ("vector",)}),
        ("ankane/pgvector", PostgresProvider, {"extensions": ("vector",)}),
        ("ankane/pgvector:v0.5.1", PostgresProvider, {"extensions": ("vector",)}),
        ("timescale/timescaledb:latest-pg16", PostgresProvider, {}),
        ("bitnami/postgresql:16", PostgresProvider, {"flavour": "bitnami"}),
        ("redis", RedisProvider, {"server": "redis-server"}),
        ("redis:7-alpine", RedisProvider, {"flavour": "official"}),
        ("valkey/valkey:8", RedisProvider, {"server": "valkey-server"}),
        ("bitnami/redis:7.2", RedisProvider, {"flavour": "bitnami", "env_prefix": "REDIS"}),
        ("bitnami/valkey:8", RedisProvider, {"flavour": "bitnami", "env_prefix": "VALKEY"}),
    ],
)
def test_built_in_rules(
    registry: LocalServiceRegistry,
    image: str,
    provider: type,
    details: Mapping[str, object],
) -> None:
    chosen = registry.provider_for(image)
    assert isinstance(chosen, provider)
    assert isinstance(chosen, PostgresProvider | RedisProvider)
    for key, value in details.items():
        assert getattr(chosen.options, key) == value


def test_same_rule_same_provider(registry: LocalServiceRegistry) -> None:
    assert registry.provider_for("postgres:15") is registry.provider_for("postgres:16")


def test_unknown_image_names_the_way_out(registry: LocalServiceRegistry) -> None:
    with pytest.raises(InfrastructureError, match=r"no service provider for image 'mysql:8'"):
        registry.provider_for("mysql:8")


def test_settings_rules_come_first_and_settings_are_split(tmp_path: Path) -> None:
    table = {
        "runtime-dir": str(tmp_path),
        "container": "fail",
        "postgres:*": {"provider": "redis"},  # perverse, but the user's word wins
        "acme/cache*": "redis",
        "registry.example.com/team/pg:*": {"provider": "postgres", "extensions": ["vector"]},
    }
    registry, settings = registry_from_settings(table)
    assert settings.runtime_dir == tmp_path
    assert settings.container is ContainerPolicy.FAIL
    assert isinstance(registry.provider_for("postgres:16"), RedisProvider)
    assert isinstance(registry.provider_for("acme/cache:1"), RedisProvider)
    team = registry.provider_for("registry.example.com/team/pg:16")
    assert isinstance(team, PostgresProvider)
    assert team.options.extensions == ("vector",)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"x:*": {"provider": "mysql"}}, "unknown provider 'mysql'"),
        ({"x:*": {"image": "postgres"}}, "needs a provider"),
        ({"x:*": 5}, "needs a provider"),
        ({"x:*": {"provider": "postgres", "colour": "blue"}}, "unknown services rule option"),
        ({"x:*": {"provider": "postgres", "flavour": "odd"}}, "must be one of"),
        ({"x:*": {"provider": "postgres", "version": "16"}}, "major version"),
        ({"x:*": {"provider": "postgres", "extensions": [1]}}, "list of strings"),
        ({"x:*": {"provider": "redis", "server": 3}}, "must be strings"),
        ({"container": "maybe"}, "invalid value"),
        ({"startup-timeout": -1}, "invalid value"),
        ({"runtime-dir": 3}, "invalid value"),
    ],
)
def test_configuration_errors_are_usage_errors(table: Mapping[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        registry_from_settings(table)


def test_custom_factories_extend_the_registry() -> None:
    fake = FakeServiceProvider()

    def make_fake(runtime: ServiceRuntime, options: Mapping[str, object]) -> ServiceProvider:
        return fake

    rules = rules_from_table({"mysql:*": "fake"})
    registry = LocalServiceRegistry(ServiceRuntime(), rules, {"fake": make_fake})
    assert registry.provider_for("mysql:8") is fake
    assert rules == [ProviderRule("mysql:*", "fake")]
