"""Named alternatives: a copy of a network where the figures of chosen alternatives
(``alternatives.csv``: component, row, field, value, label) replace the defaults. The copy's
version carries the labels and its content hash is recomputed, so every result names them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from titr.errors import DataError, Issue
from titr.network import attributes as attrs
from titr.network.io_csv import content_hash
from titr.network.model import Network, Record


def with_alternatives(net: Network, labels: Iterable[str]) -> Network:
    """A copy of the network where the named alternatives replace the default figures."""
    return apply_alternatives(net, list(labels))


def apply_alternatives(net: Network, labels: list[str]) -> Network:
    """Copy of `net` where alternatives with the given labels replace default values."""
    known = {a.label for a in net.alternatives.values()}
    unknown = [lb for lb in labels if lb not in known]
    if unknown:
        raise DataError(
            [
                Issue(
                    "alternatives",
                    None,
                    "label",
                    lb,
                    f"no alternative has this label; known: {sorted(known)}",
                )
                for lb in unknown
            ]
        )
    comps: dict[str, dict[str, Record]] = {}
    for alt in net.alternatives.values():
        if alt.label not in labels:
            continue
        store = comps.setdefault(alt.component, dict(getattr(net, alt.component)))
        rec = store.get(alt.ref)
        if rec is None:
            raise DataError(
                Issue(
                    "alternatives",
                    None,
                    "ref",
                    alt.ref,
                    f"alternative {alt.id} refers to a missing {alt.component} row",
                )
            )
        a = next((x for x in attrs.table()[alt.component] if x.field == alt.field), None)
        if a is None:
            raise DataError(
                Issue(
                    "alternatives", None, "field", alt.field, f"{alt.component} has no such field"
                )
            )
        try:
            value = attrs.parse_cell(a, alt.value)
        except attrs.CellError as e:
            raise DataError(
                Issue("alternatives", None, "value", alt.value, f"{alt.field} {e}")
            ) from None
        d = rec.model_dump()
        d[alt.field] = value
        store[alt.ref] = type(rec).model_validate(d)
    upd: dict[str, Any] = dict(comps)
    new = net.model_copy(update=upd)
    man = new.manifest.model_copy(
        update={"version": new.manifest.version + "+" + "+".join(sorted(labels))}
    )
    new = new.model_copy(update={"manifest": man})
    return new.model_copy(update={"content_hash": content_hash(new)})
