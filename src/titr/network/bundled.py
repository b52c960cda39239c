"""Datasets shipped inside the package (`titr/network/datasets/<name>/`)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from titr.errors import NotFoundError
from titr.network.io_csv import read_dataset
from titr.network.model import Network

DEFAULT = "middle-corridor-2025"


def datasets_dir() -> Path:
    return Path(str(resources.files("titr.network").joinpath("datasets")))


def bundled_names() -> list[str]:
    d = datasets_dir()
    return sorted(p.name for p in d.iterdir() if (p / "manifest.json").is_file())


@lru_cache(maxsize=8)
def _load_bundled(name: str) -> Network:
    return read_dataset(datasets_dir() / name)


def load(name_or_path: str = DEFAULT) -> Network:
    """A bundled dataset by name, or any dataset folder/zip by path."""
    if name_or_path in bundled_names():
        return _load_bundled(name_or_path)
    p = Path(name_or_path)
    if p.exists():
        return read_dataset(p)
    raise NotFoundError(f"no bundled dataset or path '{name_or_path}'.", bundled_names())
