"""titr: plan and simulate the Trans-Caspian International Transport Route (Middle Corridor)."""

from titr.errors import DataError, Issue, NoRouteError, TitrError
from titr.network.model import Network

__version__ = "0.1.0"


def load_dataset(name_or_path: str = "middle-corridor-2025") -> Network:
    """Load a bundled dataset by name, or a dataset directory/zip by path (validated)."""
    from titr.network.bundled import load

    return load(name_or_path)


__all__ = ["DataError", "Issue", "Network", "NoRouteError", "TitrError", "load_dataset"]
