"""Reading GitHub's deliveries (pure): the signature, and the ref and commit of each event in
the recorded payloads of ../shared/reference/webhook-payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.server.webhook_events import (
    EVENTS,
    BadDelivery,
    check_signature,
    event_target,
    repository_name,
    signature,
)
from tests.conftest import shared_params


def recorded(shared: Path) -> list[object]:
    folder = shared / "reference" / "webhook-payloads"
    files = sorted(folder.glob("*.json"))
    return [pytest.param(path, id=path.stem) for path in files if path.stem.split(".")[0] in EVENTS]


@pytest.mark.parametrize("path", shared_params(recorded))
def test_each_recorded_payload_names_its_repository_and_ref(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    event = path.stem.split(".")[0]
    assert "/" in repository_name(payload)
    target = event_target(event, payload, "main")
    assert target.ref.startswith("refs/")
    if event in ("push", "pull_request"):
        assert len(target.sha) == 40


def test_the_signature_is_github_s_example() -> None:
    # GitHub's documented example (docs: "Validating webhook deliveries").
    secret, body = "It's a Secret to Everybody", b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature(secret, body) == expected
    check_signature(secret, body, expected)
    for bad in (None, "", "sha256=" + "0" * 64, expected.upper()):
        with pytest.raises(BadDelivery) as refused:
            check_signature(secret, body, bad)
        assert refused.value.status == 401
