"""titr: plan and simulate the Trans-Caspian International Transport Route (Middle Corridor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from titr.errors import DataError, Issue, NoRouteError, TitrError

if TYPE_CHECKING:
    from titr.network.model import Network

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # `titr.Network` without importing numpy and the network model for every `import titr`
    # (the CLI's help must not pay for them)
    if name == "Network":
        from titr.network.model import Network

        return Network
    raise AttributeError(f"module 'titr' has no attribute {name!r}")


def load_dataset(name_or_path: str = "middle-corridor-2025") -> Network:
    """Load a bundled dataset by name, or a dataset directory/zip by path (validated)."""
    from titr.network.bundled import load

    return load(name_or_path)


__all__ = ["DataError", "Issue", "Network", "NoRouteError", "TitrError", "load_dataset"]
