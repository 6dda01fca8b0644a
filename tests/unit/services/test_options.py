"""`services.<id>.options`: docker create flags, as written in real workflows."""

from __future__ import annotations

import pytest

from conveyor.services.health import HealthCheck
from conveyor.services.options import parse_options, tokenize
from tests.unit.services.factories import HERE

GITHUB_DOCS = """--health-cmd pg_isready
--health-interval 10s
--health-timeout 5s
--health-retries 5"""


def test_the_folded_github_docs_example() -> None:
    options, problems = parse_options(GITHUB_DOCS, HERE)
    assert problems == []
    assert options.health == HealthCheck("pg_isready", 10.0, 5.0, 5)
    assert options.ignored == ()


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ('--health-cmd "redis-cli ping" --health-interval 10s', "redis-cli ping"),
        ("--health-cmd='pg_isready -U postgres'", "pg_isready -U postgres"),
        ('--health-cmd="mysqladmin ping" --health-retries=3', "mysqladmin ping"),
        (
            "--health-cmd 'curl -f http://localhost/ || exit 1'",
            "curl -f http://localhost/ || exit 1",
        ),
    ],
)
def test_health_commands_with_quotes_and_equals(text: str, command: str) -> None:
    options, problems = parse_options(text, HERE)
    assert problems == []
    assert options.health is not None
    assert options.health.command == command


def test_env_publish_entrypoint_and_ignored_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_HOST", "host-value")
    text = (
        "-e A=1 --env B=two=2 -e FROM_HOST -p 8080:80 --entrypoint redis-server "
        "--shm-size 1g --privileged --name db --tmpfs /var/lib/postgresql/data"
    )
    options, problems = parse_options(text, HERE)
    assert problems == []
    assert options.env == {"A": "1", "B": "two=2", "FROM_HOST": "host-value"}
    assert options.publish == ("8080:80",)
    assert options.entrypoint == "redis-server"
    assert options.ignored == ("--shm-size 1g", "--privileged", "--tmpfs /var/lib/postgresql/data")


def test_boolean_flag_followed_by_a_flag() -> None:
    assert tokenize("--no-healthcheck --cpus 2 --init") == [
        ("no-healthcheck", None),
        ("cpus", "2"),
        ("init", None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("--health-interval ten", "invalid duration"),
        ("--health-cmd x --health-retries lots", "whole number"),
        ('--health-cmd "unterminated', "cannot parse options"),
        ("pg_isready", "expected a --flag"),
    ],
)
def test_problems_are_diagnostics_at_the_service(text: str, message: str) -> None:
    options, problems = parse_options(text, HERE)
    assert len(problems) == 1
    assert message in problems[0].message
    assert problems[0].code == "service-options"
    assert problems[0].location == HERE
    assert options.health is None


def test_empty_options() -> None:
    assert parse_options(None, HERE) == parse_options("  \n", HERE)
    assert parse_options(None, HERE)[0].health is None
