"""Parsing `conveyor run` options: K=V pairs, secrets from the environment, dotenv files."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from conveyor.bootstrap.dotenv import read_dotenv
from conveyor.errors import UsageError


def pairs(values: Iterable[str], option: str, separator: str = "=") -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values:
        key, found, text = value.partition(separator)
        if not found or not key:
            raise UsageError(f"{option} expects KEY{separator}VALUE, got {value!r}")
        result[key] = text
    return result


def secrets(values: Iterable[str], files: Iterable[Path]) -> dict[str, str]:
    """`--secret-file` values, then `--secret K=V` / `--secret K` (value from the environment)."""
    result: dict[str, str] = {}
    for path in files:
        result.update(read_dotenv(path))
    for value in values:
        key, found, text = value.partition("=")
        if not key:
            raise UsageError(f"--secret expects KEY or KEY=VALUE, got {value!r}")
        if not found:
            if key not in os.environ:
                raise UsageError(f"--secret {key}: no value given and ${key} is not set")
            text = os.environ[key]
        result[key] = text
    return result


def env(values: Iterable[str], files: Iterable[Path]) -> dict[str, str]:
    result: dict[str, str] = {}
    for path in files:
        result.update(read_dotenv(path))
    result.update(pairs(values, "--env"))
    return result


def matrix(values: Iterable[str]) -> Mapping[str, tuple[str, ...]]:
    """`--matrix K:V` (repeatable; several values for one key keep any of them)."""
    wanted: dict[str, list[str]] = {}
    for value in values:
        key, found, text = value.partition(":")
        if not found or not key:
            raise UsageError(f"--matrix expects KEY:VALUE, got {value!r}")
        wanted.setdefault(key, []).append(text)
    return {key: tuple(choices) for key, choices in wanted.items()}


def platforms(values: Iterable[str]) -> tuple[str, ...]:
    """`--platform LABEL=host` (repeatable): the `runs-on` labels to run on this host anyway."""
    labels: list[str] = []
    for value in values:
        label, found, target = value.partition("=")
        if not found or not label.strip() or target.strip().lower() != "host":
            raise UsageError(f"--platform expects LABEL=host, got {value!r}")
        labels.append(label.strip())
    return tuple(labels)
