"""One place resolver for every entry point (CLI, API, dashboard, scenario files).

A place is a node of the dataset, typed as its code (`KZ_AKTAU`) or a name in any language the
data has (en, ru, tr; kk and az when a node carries `name_kk` / `name_az`), or a country, typed
as its ISO 3166-1 alpha-2 code or its name in en, ru, tr, kk or az (CLDR names through Babel:
"Russia", "Россия", "Rusya", "Ресей", "Rusiya" are all `RU`).

Matching ignores case, accents, punctuation and spaces (Turkish İ/ı and Polish ł included).
Names are tried in tiers and the first tier that hits decides:

1. the code or a full name;
2. a name without its bracketed part ("Altynkol" for "Altynkol (Khorgos Gateway dry port)") or
   the whole bracketed part ("Alat" for "Baku International Sea Trade Port (Alat)");
3. the first word of a longer name ("Aktau" for "Aktau International Sea Trade Port");
4. one piece of a name split at "/" or "," ("Kuryk" in "... (Aktau/Kuryk area)");
5. the start of a name ("Akta" → Aktau), when that names one place only.

Two places in the deciding tier are an ambiguity: the error lists them, nothing is guessed.
Unknown names get suggestions written as "Name (CODE)" in the asked language.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from titr.errors import NotFoundError

if TYPE_CHECKING:
    from titr.network.model import Network, Node

NAME_LANGS = ("en", "ru", "tr", "kk", "az")
COUNTRY_LANGS = ("en", "ru", "tr", "kk", "az")
MAX_SUGGESTIONS = 6


def fold(s: str) -> str:
    """Case- and accent-insensitive key: Turkish dotted/dotless i (İ/I/ı → i), Polish ł and
    German ß (which Unicode does not decompose), letters and digits only."""
    s = s.replace("İ", "i").replace("I", "i").replace("ı", "i")
    s = s.replace("Ł", "l").replace("ł", "l").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in s if not unicodedata.combining(ch) and ch.isalnum())


def node_names(node: Node) -> dict[str, str]:
    """The node's names by language (en, ru, tr always; kk, az when the data has them)."""
    out: dict[str, str] = {}
    for lang in NAME_LANGS:
        v = getattr(node, f"name_{lang}", None)
        if isinstance(v, str) and v.strip():
            out[lang] = v.strip()
    return out


def _name_keys(name: str) -> list[tuple[int, str]]:
    """(tier, text) keys of one name; see the module docstring for the tiers."""
    keys = [(1, name)]
    bare = re.sub(r"\([^)]*\)", " ", name).strip()
    if bare and bare != name:
        keys.append((2, bare))
    words = bare.split()
    if len(words) > 1 and len(fold(words[0])) >= 3:  # "Aktau" for "Aktau International ..."
        keys.append((3, words[0]))
    for inner in re.findall(r"\(([^)]*)\)", name):
        keys.append((2, inner))
        keys.extend((4, p) for p in re.split(r"[/,]", inner) if p.strip() and p != inner)
    keys.extend((4, p) for p in re.split(r"[/,]", bare) if p.strip() and p.strip() != bare)
    return keys


def country_names(code: str, lang: str = "en") -> str:
    """CLDR name of a country in `lang` (the code itself when CLDR has none)."""
    from babel import Locale

    try:
        return str(Locale.parse(lang).territories.get(code.upper(), code.upper()))
    except Exception:  # unknown locale
        return code.upper()


@dataclass
class PlaceIndex:
    """Fold-key lookups for the nodes and countries of one network."""

    net: Network
    tiers: list[dict[str, set[str]]] = field(default_factory=lambda: [{}, {}, {}, {}])
    countries: dict[str, str] = field(default_factory=dict)  # folded name/code -> ISO code

    def __post_init__(self) -> None:
        for n in self.net.nodes.values():
            self._add(0, n.id, n.id)
            for name in node_names(n).values():
                for tier, text in _name_keys(name):
                    self._add(tier - 1, text, n.id)
        from babel import Locale

        locales = []
        for lang in COUNTRY_LANGS:
            try:
                locales.append(Locale.parse(lang))
            except Exception:  # pragma: no cover - Babel ships all five
                continue
        for code in self.net.countries():
            self.countries[fold(code)] = code
            for loc in locales:
                nm = loc.territories.get(code)
                if nm:
                    self.countries.setdefault(fold(nm), code)

    def _add(self, tier: int, text: str, node_id: str) -> None:
        k = fold(text)
        if k:
            self.tiers[tier].setdefault(k, set()).add(node_id)

    # ---- display ----
    def label(self, node_id: str, lang: str = "en") -> str:
        """'Name (CODE)' in `lang` (English when the node has no name in it)."""
        n = self.net.nodes[node_id]
        return f"{node_names(n).get(lang) or n.name_en} ({node_id})"

    # ---- nodes ----
    def find_nodes(self, query: str) -> list[str]:
        """Node ids the query names in the first tier that has any (sorted); [] if none."""
        q = fold(query)
        if not q:
            return []
        if query.strip() in self.net.nodes:
            return [query.strip()]
        for tier in self.tiers:
            hits = tier.get(q)
            if hits:
                return sorted(hits)
        prefix = {
            nid for tier in self.tiers for k, ids in tier.items() if k.startswith(q) for nid in ids
        }
        return sorted(prefix) if len(prefix) == 1 else []

    def node(self, query: str, lang: str = "en", what: str = "place") -> str:
        """The node id `query` names; NotFoundError listing candidates when it names none or
        several."""
        if not isinstance(query, str) or not query.strip():
            raise NotFoundError(f"an empty {what} name matches nothing")
        if not fold(query):  # punctuation only ("';--"): no name can match it
            raise NotFoundError(f"no {what} is called '{query[:80]}'.")
        hits = self.find_nodes(query)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise self._error(
                f"'{query}' names several places; say which one: "
                + "; ".join(self.label(h, lang) for h in hits[:MAX_SUGGESTIONS])
                + ".",
                hits,
                lang,
            )
        q = fold(query)
        prefix = sorted(
            {
                nid
                for tier in self.tiers
                for k, ids in tier.items()
                if k.startswith(q)
                for nid in ids
            }
        )
        cands = prefix or self.closest(q)
        msg = f"no {what} is called '{query}'."
        if not cands:
            raise NotFoundError(msg)
        raise self._error(
            msg
            + " Did you mean: "
            + "; ".join(self.label(c, lang) for c in cands[:MAX_SUGGESTIONS])
            + "?",
            cands,
            lang,
        )

    def _error(self, message: str, ids: list[str], lang: str) -> NotFoundError:
        e = NotFoundError(message)
        e.suggestions = [self.label(i, lang) for i in ids[:MAX_SUGGESTIONS]]
        e.codes = ids[:MAX_SUGGESTIONS]  # type: ignore[attr-defined]
        return e

    def closest(self, q: str) -> list[str]:
        keys = [k for tier in self.tiers for k in tier]
        out: list[str] = []
        for k in difflib.get_close_matches(q, keys, n=MAX_SUGGESTIONS, cutoff=0.6):
            for tier in self.tiers:
                for nid in sorted(tier.get(k, ())):
                    if nid not in out:
                        out.append(nid)
        return out

    # ---- countries ----
    def country(self, query: str) -> str | None:
        """ISO code of a country of the dataset named by `query` (code or CLDR name in en, ru,
        tr, kk, az), or None."""
        return self.countries.get(fold(query)) if fold(query) else None

    def country_list(self, lang: str = "en") -> str:
        return ", ".join(f"{country_names(c, lang)} ({c})" for c in self.net.countries())


_BY_ID: dict[int, tuple[weakref.ref[Network], PlaceIndex]] = {}


def places(net: Network) -> PlaceIndex:
    """The place index of `net` (built once per network object)."""
    key = id(net)
    hit = _BY_ID.get(key)
    if hit is not None and hit[0]() is net:
        return hit[1]
    idx = PlaceIndex(net)
    # the callback gets the dead ref as pop's default: no module globals needed at exit
    _BY_ID[key] = (weakref.ref(net, functools.partial(_BY_ID.pop, key)), idx)
    return idx


def node_label(net: Network, node_id: str, lang: str = "en") -> str:
    """A node's name in `lang` (its id when the dataset does not have it)."""
    n = net.nodes.get(node_id)
    return (node_names(n).get(lang) or n.name_en) if n is not None else node_id


def link_label(net: Network, link_id: str, lang: str = "en") -> str:
    """A link as its ends' names, "Aktau – Baku (ferry)"; the id when it is unknown."""
    lk = net.links.get(link_id)
    if lk is None:
        return link_id
    return f"{node_label(net, lk.a_node, lang)} – {node_label(net, lk.b_node, lang)} ({lk.mode})"


def resolve_node(net: Network, query: str, lang: str = "en") -> str:
    """Node id for a code or a name in any language of the data; NotFoundError otherwise."""
    return places(net).node(query, lang)


def resolve_country(net: Network, query: str) -> str | None:
    """ISO code for a country of the dataset named by code or name, or None."""
    return places(net).country(query)
