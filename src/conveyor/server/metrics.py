"""`GET /metrics`: Prometheus' text format (0.0.4), written by hand (no client library).

- `conveyor_runs{status}`: runs by status (completed ones by conclusion too);
- `conveyor_queue_depth`: jobs of active runs waiting to start;
- `conveyor_job_duration_seconds`: a histogram of finished jobs' durations;
- `conveyor_webhook_deliveries_total{result}`: what the webhook endpoint counted in this
  process (`ServerContext.webhook_deliveries[result] += 1`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Role
from conveyor.store.run_search import job_duration_buckets, queued_jobs, runs_by_status

router = APIRouter(tags=["operations"], responses=ERRORS)
BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
)
def metrics(
    _: Annotated[object, Depends(require(Role.READ))],
    ctx: Annotated[ServerContext, Depends(context)],
) -> PlainTextResponse:
    lines = run_lines(ctx) + queue_lines(ctx) + duration_lines(ctx) + delivery_lines(ctx)
    return PlainTextResponse("\n".join(lines) + "\n", media_type=CONTENT_TYPE)


def label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def run_lines(ctx: ServerContext) -> list[str]:
    counts = runs_by_status(ctx.store.database)  # type: ignore[arg-type]
    lines = ["# HELP conveyor_runs Runs by status.", "# TYPE conveyor_runs gauge"]
    for key, count in sorted(counts.items()):
        status, _, conclusion = key.partition("/")
        extra = f',conclusion="{label(conclusion)}"' if conclusion else ""
        lines.append(f'conveyor_runs{{status="{label(status)}"{extra}}} {count}')
    return lines


def queue_lines(ctx: ServerContext) -> list[str]:
    depth = queued_jobs(ctx.store.database)  # type: ignore[arg-type]
    return [
        "# HELP conveyor_queue_depth Jobs of active runs waiting to start.",
        "# TYPE conveyor_queue_depth gauge",
        f"conveyor_queue_depth {depth}",
    ]


def duration_lines(ctx: ServerContext) -> list[str]:
    counts, total = job_duration_buckets(ctx.store.database, BUCKETS)  # type: ignore[arg-type]
    name = "conveyor_job_duration_seconds"
    lines = [f"# HELP {name} How long finished jobs took.", f"# TYPE {name} histogram"]
    for bound, count in zip((*BUCKETS, "+Inf"), counts, strict=True):
        lines.append(f'{name}_bucket{{le="{bound}"}} {count}')
    return [*lines, f"{name}_sum {total}", f"{name}_count {counts[-1]}"]


def delivery_lines(ctx: ServerContext) -> list[str]:
    name = "conveyor_webhook_deliveries_total"
    lines = [f"# HELP {name} Webhook deliveries by result.", f"# TYPE {name} counter"]
    for result, count in sorted(ctx.webhook_deliveries.items()):
        lines.append(f'{name}{{result="{label(result)}"}} {count}')
    return lines
