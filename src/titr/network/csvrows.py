"""One reader of small validated CSV tables (demand files, choice inputs): header checks and
row shape, every problem located (file, row, column) and collected, never raised mid-way.

The dataset reader (`titr.network.io_csv`) has its own streaming reader with the upload
limits; this one serves the single-table files that the layers above read whole."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Iterator, Sequence

from titr.errors import Issue


def csv_records(
    text: str,
    fname: str,
    columns: Sequence[str],
    required: Collection[str],
    issues: list[Issue],
    max_rows: int,
    what: str = "this file",
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: stripped cell}) per non-blank data row of ``text``.

    Header problems (broken quoting, unknown, missing required or repeated columns) go to
    ``issues`` and end the file before any row; so does broken quoting in a row or more than
    ``max_rows`` data rows. A row whose cell count differs from the header's is reported and
    skipped. ``what`` names the file kind in the unknown-column message."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as e:
        issues.append(Issue(fname, 1, None, None, f"broken CSV quoting: {e}"))
        return
    except StopIteration:
        return
    n0 = len(issues)
    for h in header:
        if h not in columns:
            issues.append(
                Issue(fname, 1, h, None, f"unknown column; {what} has: {', '.join(columns)}")
            )
    for h in required:
        if h not in header:
            issues.append(Issue(fname, 1, h, None, "required column is missing"))
    for h in sorted({h for h in header if header.count(h) > 1}):
        issues.append(Issue(fname, 1, h, None, "column appears more than once"))
    if len(issues) > n0:
        return
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            msg = f"broken CSV quoting: {e} (quote fields holding commas)"
            issues.append(Issue(fname, reader.line_num, None, None, msg))
            return
        line = reader.line_num
        if not cells or all(c.strip() == "" for c in cells):
            continue
        count += 1
        if count > max_rows:
            issues.append(Issue(fname, line, None, None, f"more than {max_rows} rows"))
            return
        if len(cells) != len(header):
            msg = f"row has {len(cells)} cells, the header has {len(header)}"
            issues.append(Issue(fname, line, None, None, msg))
            continue
        yield line, {h: c.strip() for h, c in zip(header, cells, strict=True)}


def number_cell(
    value: str,
    fname: str,
    line: int,
    col: str,
    issues: list[Issue],
    lo: float,
    hi: float,
    *,
    integer: bool = False,
    above_lo: bool = False,
    why: str = "",
) -> float | None:
    """The finite number in a cell, within lo..hi (above lo when ``above_lo``; whole when
    ``integer``), else None with the broken rule in ``issues``. ``why`` ends the range
    message (e.g. what a zero means)."""
    try:
        x = float(value)
        if not math.isfinite(x):
            raise ValueError
    except ValueError:
        issues.append(Issue(fname, line, col, value, "must be a finite number"))
        return None
    if integer and x != int(x):
        issues.append(Issue(fname, line, col, value, "must be a whole number"))
        return None
    if above_lo and not (lo < x <= hi):
        issues.append(Issue(fname, line, col, value, f"must be > {lo:g} and at most {hi:g}{why}"))
        return None
    if not (lo <= x <= hi):
        issues.append(Issue(fname, line, col, value, f"must lie in {lo:g}..{hi:g}{why}"))
        return None
    return x
