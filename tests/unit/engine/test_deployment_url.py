"""An `environment.url` holding a secret is not recorded (GitHub drops it too)."""

from __future__ import annotations

from tests.unit.engine.test_gated_executor import REPO, FakeExecutor, Store, run_gated

LEAKY = """
on: push
jobs:
  deploy:
    runs-on: x
    environment:
      name: production
      url: https://example.invalid/?token=${{ env.KEY }}
    env:
      KEY: ${{ secrets.DEPLOY_KEY }}
    steps: [{id: s, run: echo}]
"""


def test_an_environment_url_holding_a_secret_is_dropped_with_a_notice() -> None:
    store = Store()
    record, observer = run_gated(LEAKY, store, FakeExecutor(), secrets={"DEPLOY_KEY": "k3y-v@lue"})
    assert record.conclusion == "success"
    (deployment,) = store.environments.list_deployments(REPO, "production")
    assert deployment.url is None
    assert any("environment url" in m and "secret" in m for m in observer.messages)
    assert all("k3y-v@lue" not in m for m in observer.messages)
