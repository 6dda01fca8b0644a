"""One Celery queue per runner pool: a job's `runs-on` label set (DESIGN.md §6).

A job with `runs-on: [self-hosted, linux]` rings on `runs-on:linux,self-hosted`; a worker with
the labels `self-hosted,linux,x64` consumes the queue of every non-empty subset of its labels,
so it hears every job whose labels it all has. Labels compare case-insensitively, as on GitHub.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

PREFIX = "runs-on:"
MAX_WORKER_LABELS = 10  # 1,023 queues: enough for any real runner


def normalized(labels: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({label.strip().lower() for label in labels if label.strip()}))


def queue_name(labels: Iterable[str]) -> str:
    """The queue a job with these `runs-on` labels rings on."""
    return PREFIX + ",".join(normalized(labels))


def consumed_queues(labels: Iterable[str]) -> list[str]:
    """Every queue a worker with these labels takes jobs from."""
    own = normalized(labels)
    if len(own) > MAX_WORKER_LABELS:
        raise ValueError(f"a worker has at most {MAX_WORKER_LABELS} labels, not {len(own)}")
    return [
        queue_name(subset) for size in range(1, len(own) + 1) for subset in combinations(own, size)
    ]


def satisfies(worker: Iterable[str], job: Iterable[str]) -> bool:
    """Whether a worker with the labels `worker` can take a job with the labels `job`."""
    return set(normalized(job)) <= set(normalized(worker))
