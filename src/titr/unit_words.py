"""Quantity units as people write them in en, ru and tr: "10 Мт", "10 млн т", "10 milyon ton",
"300 тыс. ДФЭ", "11 million tonnes" → the symbols the parsers take ("10Mt", "300kTEU", ...).

Only words and their order change here; the number and the scale stay with the parser
(`titr.graph.units.parse_quantity`), so every language reads the same quantity.
"""

from __future__ import annotations

import re

# (pattern of the unit words after the number, symbol). Longest first; case-insensitive.
_WORDS: tuple[tuple[str, str], ...] = (
    # millions of tonnes
    (r"млн\.?\s*(?:т|тонн|тонны|тонна)\.?", "Mt"),
    (r"миллион(?:ов|а)?\s*(?:т|тонн|тонны|тонна)\.?", "Mt"),
    (r"мт", "Mt"),
    (r"milyon\s*ton", "Mt"),
    (r"mn\.?\s*ton", "Mt"),
    (r"million\s*(?:t|tonnes|tons|tonne|ton)", "Mt"),
    (r"mln\.?\s*(?:t|tonnes|tons)", "Mt"),
    # thousands of tonnes
    (r"тыс\.?\s*(?:т|тонн|тонны|тонна)\.?", "kt"),
    (r"тысяч[аи]?\s*(?:т|тонн|тонны|тонна)\.?", "kt"),
    (r"кт", "kt"),
    (r"bin\s*ton", "kt"),
    (r"thousand\s*(?:t|tonnes|tons|tonne|ton)", "kt"),
    # containers
    (r"млн\.?\s*(?:дфэ|teu)", "MTEU"),
    (r"тыс\.?\s*(?:дфэ|teu)", "kTEU"),
    (r"дфэ", "TEU"),
    (r"milyon\s*(?:teu|konteyner)", "MTEU"),
    (r"bin\s*(?:teu|konteyner)", "kTEU"),
    # tonnes
    (r"(?:т|тонн|тонны|тонна)\.?", "t"),
    (r"(?:ton|tonnes|tons|tonne)", "t"),
)
_NUMBER = r"([0-9]+(?:[.,][0-9]+)?(?:e[+-]?[0-9]+)?)"
_COMPILED = tuple(
    (re.compile(rf"^\s*{_NUMBER}\s*{pat}\s*$", re.IGNORECASE), sym) for pat, sym in _WORDS
)


def normalise_quantity(text: str) -> str:
    """`text` with its unit words replaced by the unit symbol ("10 млн т" → "10Mt"); text in
    another form is returned unchanged for the parser to accept or reject."""
    if not isinstance(text, str):
        return text
    t = text.replace("\u00a0", " ").replace("\u202f", " ")
    for rx, sym in _COMPILED:
        m = rx.match(t)
        if m:
            return f"{m.group(1)}{sym}"
    return text
