"""The daemon computes what depends only on the code once, before it forks: every command's
child then finds it ready (a workflow file seen for the first time is loaded without building
GitHub's schema again; the workflow cache's key without stamping the loader's files)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
from conveyor.bootstrap import workflow_cache
from conveyor.cli.daemon import server
from conveyor.workflow import template_schema
server.warm_up()
assert template_schema.workflow_schema.cache_info().currsize == 1, "schema"
assert workflow_cache.code_fingerprint.cache_info().currsize == 1, "fingerprint"
import threading
assert threading.active_count() == 1, "a thread"
"""


def test_warm_up_builds_the_schema_and_the_code_fingerprint_without_threads() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
