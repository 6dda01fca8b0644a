"""The local executor: runs job documents as processes on this machine (no Docker)."""

from conveyor.executors.local.executor import LocalExecutor, default_home
from conveyor.executors.local.processes import StopPolicy
from conveyor.executors.local.services_hook import ServicesStarter

__all__ = ["LocalExecutor", "ServicesStarter", "StopPolicy", "default_home"]
