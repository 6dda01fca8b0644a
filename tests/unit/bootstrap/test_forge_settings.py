"""The `[forge]` settings: CONVEYOR_FORGE_* over the config file's table; a GitHub App's key
read from its file; clear errors naming the setting or the file; secrets kept out of repr."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conveyor.bootstrap.forge_wiring import forge_settings
from conveyor.errors import UsageError

SRC = Path(__file__).resolve().parents[3] / "src"


def test_no_kind_no_forge() -> None:
    assert forge_settings({}, {}) is None


def test_a_token_from_the_environment_over_the_file() -> None:
    table = {"kind": "github", "token": "ghp_file", "api_url": "https://ghe.example/api/v3"}
    found = forge_settings({"CONVEYOR_FORGE_TOKEN": "ghp_env"}, table)
    assert found is not None
    assert found.config.token == "ghp_env"
    assert found.config.api_url == "https://ghe.example/api/v3"
    assert "ghp_env" not in repr(found)


def test_a_github_app_reads_its_key_file(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "app.pem").write_bytes(pem)
    table = {
        "kind": "github",
        "app_id": 12,
        "installation_id": 34,
        "private_key_file": str(tmp_path / "app.pem"),
        "conveyor_url": "https://ci.example.com/",
    }
    found = forge_settings({}, table)
    assert found is not None
    assert found.config.is_app
    assert (found.config.app_id, found.config.installation_id) == ("12", "34")
    assert found.conveyor_url == "https://ci.example.com"
    assert b"PRIVATE" not in repr(found).encode()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "gitea"}, "forge.kind: unknown forge 'gitea'"),
        ({"kind": "github"}, "a GitHub App (app_id, private_key_file, installation_id) or a token"),
        (
            {"kind": "github", "app_id": "1", "installation_id": "2", "private_key_file": "/no"},
            "/no: cannot read the GitHub App's private key",
        ),
    ],
)
def test_bad_settings_are_clear_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        forge_settings({}, table)


def test_serve_with_a_bad_forge_setting_exits_2_naming_it(conveyor_home: Path) -> None:
    env = {
        **os.environ,
        "CONVEYOR_HOME": str(conveyor_home),
        "PYTHONPATH": str(SRC),
        "CONVEYOR_FORGE_KIND": "gitea",
    }
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "forge.kind: unknown forge 'gitea'" in done.stderr
    assert "Traceback" not in done.stderr
