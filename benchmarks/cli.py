"""CLI start-up benchmark: CPU time of `titr --help` (and `titr --version`) in a fresh Python
process, with the command modules loaded lazily (titr.cli.help.TitrRootGroup, what `titr`
does) against the same CLI with every command module imported first (what `titr` did before:
pandas, the network model, the LP, the simulation, …).

Each run is a child process (`python -c ...`); its CPU time (user + system, from the
children's rusage) is what is compared, best of N, the two variants alternated. The help text
of both must be the same (equal-output check), so the ratio is the price of importing what
the help does not need.

Run: .venv/bin/python benchmarks/cli.py [--repeat 7] [--quick]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, machine, ratio_line  # noqa: E402

LAZY = "import sys; from titr.cli.main import main; sys.exit(main(sys.argv[1:]))"
EAGER = (
    "import sys; from titr.cli.main import _register, main; _register(); "
    "sys.exit(main(sys.argv[1:]))"
)


def run(code: str, argv: list[str]) -> tuple[float, str]:
    """CPU seconds of one child process running `code` with `argv`, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{argv} exited {r.returncode}: {r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, r.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs of each variant (best of N)")
    ap.add_argument("--quick", action="store_true", help="2 runs each (a smoke run)")
    args = ap.parse_args()
    repeat = 2 if args.quick else args.repeat
    print(machine())
    for argv in (["--help"], ["--version"]):
        best = {"lazy": float("inf"), "eager": float("inf")}
        out: dict[str, str] = {}
        for _ in range(repeat):
            for name, code in (("lazy", LAZY), ("eager", EAGER)):
                cpu, text = run(code, argv)
                best[name] = min(best[name], cpu)
                out[name] = text
        check(out["lazy"] == out["eager"], f"titr {' '.join(argv)} output, lazy vs eager")
        ratio_line(
            f"titr {' '.join(argv)} (child CPU)",
            best["lazy"],
            {"eager imports": best["eager"]},
            "the same CLI and text; the peer imports every command module first",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
