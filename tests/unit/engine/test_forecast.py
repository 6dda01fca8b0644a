"""The scheduler tells a forecasting executor how many jobs are about to start, so it can make
their workspaces ahead; an executor without `forecast` is not asked."""

from __future__ import annotations

import threading

from conveyor.engine.ports.executor import ForecastingExecutor, JobForecast
from conveyor.executors.fake import FakeExecutor, FakeJob
from tests.unit.engine.conftest import run_workflow

FAN = """
on: push
jobs:
  root: {runs-on: x, steps: [{uses: actions/checkout@v4}]}
  a: {needs: root, runs-on: x, steps: [{uses: actions/checkout@v4}]}
  b: {needs: root, runs-on: x, steps: [{uses: ./local-action}]}
  c: {needs: root, runs-on: x, steps: [{uses: actions/checkout@v4}]}
  sink: {needs: [a, b, c], runs-on: x, steps: [{uses: actions/checkout@v4}]}
"""
# Jobs that neither check out nor use a `./` action need no checkout: they are not counted.
MIXED = """
on: push
jobs:
  root: {runs-on: x, steps: [{run: a}]}
  a: {needs: root, runs-on: x, steps: [{run: a}, {uses: actions/checkout@v4}]}
  b: {needs: root, runs-on: x, steps: [{run: a}]}
  c: {needs: root, runs-on: x, steps: [{uses: actions/setup-node@v4}]}
"""


class ForecastedFake(FakeExecutor):
    def __init__(self) -> None:
        super().__init__(default=FakeJob(duration=0.02))
        self.forecasts: list[JobForecast] = []
        self._forecast_lock = threading.Lock()

    def forecast(self, forecast: JobForecast) -> None:
        with self._forecast_lock:
            self.forecasts.append(forecast)


def test_forecasts_count_started_and_upcoming_jobs() -> None:
    executor = ForecastedFake()
    assert isinstance(executor, ForecastingExecutor)
    outcome = run_workflow(FAN, executor, parallel=2)
    assert set(outcome.conclusions().values()) == {"success"}
    seen = [(f.started, f.upcoming) for f in executor.forecasts]
    assert seen[0] == (1, 2)  # root started; a, b, c and sink wait: at most `parallel`
    assert seen[-1] == (5, 0)  # every job started, none to come
    assert all(f.repository == "/repo" and f.sha == "abc" for f in executor.forecasts)
    assert all(0 <= f.upcoming <= 2 for f in executor.forecasts)
    starts = [started for started, _ in seen]
    assert starts == sorted(starts)  # started only grows
    assert len(seen) == len(set(seen))  # sent only when it changes


def test_only_jobs_that_read_the_repository_are_counted() -> None:
    executor = ForecastedFake()
    outcome = run_workflow(MIXED, executor, parallel=3)
    assert set(outcome.conclusions().values()) == {"success"}
    seen = [(f.started, f.upcoming) for f in executor.forecasts]
    assert seen[0] == (0, 1)  # root started (not counted); only `a` will want a checkout
    assert seen[-1] == (1, 0)


def test_an_executor_without_forecast_is_not_asked() -> None:
    executor = FakeExecutor()
    assert not isinstance(executor, ForecastingExecutor)
    outcome = run_workflow(FAN, executor)
    assert len(outcome.record.jobs) == 5


def test_jobs_that_do_not_read_the_repository_are_counted_apart() -> None:
    """They need an empty job directory only, which the executor may make ahead too."""
    executor = ForecastedFake()
    outcome = run_workflow(MIXED, executor, parallel=3)
    assert set(outcome.conclusions().values()) == {"success"}
    others = [(f.others_started, f.others_upcoming) for f in executor.forecasts]
    assert others[0] == (1, 2)  # root started; b and c wait (a reads the repository)
    assert others[-1] == (3, 0)
    assert all(0 <= upcoming <= 3 for _, upcoming in others)
    seen = [
        (f.started, f.upcoming, f.others_started, f.others_upcoming) for f in executor.forecasts
    ]
    assert len(seen) == len(set(seen))  # sent only when it changes
