"""Datasets shipped inside the package (`titr/network/datasets/<name>/`).

Each bundled manifest records the sha256 of its content under its version (`STAMP_KEY`, and
every stamped version in `HISTORY_KEY`): one content per version. After changing a bundled
dataset, `python scripts/stamp_dataset.py` bumps the version and records the new hash
(`stamp`); tests/network/test_bundled.py fails until then."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
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


# --- version stamp: one content per version -------------------------------------------------
#: manifest key holding the sha256 of the dataset's content (`io_csv.content_hash`)
STAMP_KEY = "content_sha256"
#: manifest key holding every stamped version's content hash
HISTORY_KEY = "content_sha256_by_version"


@dataclass(frozen=True)
class VersionStamp:
    """A bundled dataset's version, the content hash its manifest records, and its actual
    content hash. ``problem`` says what is wrong (empty when the stamp is right)."""

    name: str
    version: str
    recorded: str | None
    actual: str
    history: dict[str, str]

    @property
    def problem(self) -> str:
        fix = f"run `python scripts/stamp_dataset.py {self.name}` (it bumps the version)"
        if self.recorded != self.actual:
            return (
                f"dataset {self.name} changed content under version {self.version} "
                f"(manifest {STAMP_KEY} {str(self.recorded)[:8]}, content {self.actual[:8]}): {fix}"
            )
        if self.history.get(self.version) != self.actual:
            return (
                f"dataset {self.name} version {self.version} is recorded in {HISTORY_KEY} with "
                f"other content ({str(self.history.get(self.version))[:8]}): {fix}"
            )
        dup = [v for v, h in self.history.items() if h == self.actual and v != self.version]
        if dup:
            return f"dataset {self.name}: versions {dup + [self.version]} share one content"
        return ""


def next_version(version: str) -> str:
    """'2025.1' -> '2025.2'; a version without a trailing number gets '.1' appended."""
    m = re.fullmatch(r"(.*?)(\d+)", version)
    if m is None:
        return f"{version}.1"
    return f"{m.group(1)}{int(m.group(2)) + 1}"


def _manifest_path(folder: Path) -> Path:
    return folder / "manifest.json"


def version_stamp(folder: Path) -> VersionStamp:
    """The stamp of the dataset folder `folder` (its manifest against its content)."""
    man = json.loads(_manifest_path(folder).read_text("utf-8"))
    net = read_dataset(folder)
    return VersionStamp(
        name=str(man["name"]),
        version=str(man["version"]),
        recorded=man.get(STAMP_KEY),
        actual=net.content_hash,
        history=dict(man.get(HISTORY_KEY) or {}),
    )


def stamp(folder: Path) -> tuple[str, str]:
    """Record the folder's content hash in its manifest; when the content differs from what
    its version was stamped with, bump the version first (`next_version`, past every stamped
    one). Returns (old version, new version); equal when nothing changed."""
    st = version_stamp(folder)
    if not st.problem:
        return st.version, st.version
    version = st.version
    if st.history.get(version) not in (None, st.actual):
        version = next_version(version)
        while version in st.history:
            version = next_version(version)
    history = {v: h for v, h in st.history.items() if h != st.actual or v == version}
    history[version] = st.actual
    p = _manifest_path(folder)
    man = json.loads(p.read_text("utf-8"))
    man["version"] = version
    man[STAMP_KEY] = st.actual
    man[HISTORY_KEY] = history
    p.write_text(json.dumps(man, indent=2, ensure_ascii=False) + "\n", "utf-8")
    _load_bundled.cache_clear()
    return st.version, version
