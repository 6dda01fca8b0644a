"""Native implementations of common remote actions (layer 5), served by an ActionRegistry.

Each handler implements `conveyor.engine.ports.actions.ActionHandler`; `default_registry()`
registers them under the `owner/repo[/path]` they stand for. To add one: a module defining the
handler class, and one line below.
"""

from conveyor.actions.artifacts import DownloadArtifact, UploadArtifact
from conveyor.actions.cache import Cache, RestoreCache, SaveCache
from conveyor.actions.checkout import Checkout
from conveyor.actions.setup_node import SetupNode
from conveyor.actions.setup_python import SetupPython
from conveyor.engine.ports.actions import ActionHandler, ActionRegistry


def native_handlers() -> dict[str, ActionHandler]:
    return {
        "actions/checkout": Checkout(),
        "actions/setup-python": SetupPython(),
        "actions/setup-node": SetupNode(),
        "actions/cache": Cache(),
        "actions/cache/restore": RestoreCache(),
        "actions/cache/save": SaveCache(),
        "actions/upload-artifact": UploadArtifact(),
        "actions/download-artifact": DownloadArtifact(),
    }


def default_registry() -> ActionRegistry:
    """Every native action conveyor ships."""
    return ActionRegistry(native_handlers())


__all__ = ["default_registry", "native_handlers"]
