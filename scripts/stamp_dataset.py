"""Stamp bundled datasets: record each one's content hash in its manifest and bump its version
when the content changed (one content per version). Usage:

    python scripts/stamp_dataset.py [NAME ...]     (default: every bundled dataset)

Then re-estimate the bundled choice coefficients on the new data:
`titr choice estimate --write-bundled` (tests/choice checks their data hash)."""

from __future__ import annotations

import sys

from titr.network.bundled import bundled_names, datasets_dir, stamp


def main(argv: list[str]) -> int:
    names = argv or bundled_names()
    unknown = [n for n in names if n not in bundled_names()]
    if unknown:
        print(f"no bundled dataset {', '.join(unknown)}; known: {', '.join(bundled_names())}")
        return 2
    for n in names:
        old, new = stamp(datasets_dir() / n)
        print(f"{n}: {old} unchanged" if old == new else f"{n}: {old} -> {new} (content changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
