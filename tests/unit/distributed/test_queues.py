"""A queue per runs-on label set; a worker hears every job whose labels it all has."""

from __future__ import annotations

import pytest

from conveyor.distributed.queues import consumed_queues, queue_name, satisfies


def test_a_worker_consumes_the_queue_of_every_subset_of_its_labels() -> None:
    queues = consumed_queues(["self-hosted", "Linux", "x64"])
    assert len(queues) == 7
    assert queue_name(["linux", "self-hosted"]) in queues
    assert queue_name(["SELF-HOSTED"]) in queues
    assert queue_name(["self-hosted", "gpu"]) not in queues


def test_labels_compare_without_case_or_order() -> None:
    assert queue_name(["Self-Hosted", "linux"]) == queue_name(["linux", "self-hosted", "linux"])
    assert satisfies(["self-hosted", "linux", "gpu"], ["GPU", "self-hosted"])
    assert not satisfies(["self-hosted", "linux"], ["self-hosted", "gpu"])


def test_too_many_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 10 labels"):
        consumed_queues([f"l{n}" for n in range(11)])
