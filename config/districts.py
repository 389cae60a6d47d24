"""Finding the district a demand happened in, from its address and text.

属地 (local) services are handled by the office of the district where the
problem is, so dispatch needs the district even when the caller only said
"星沙泉塘街道" or wrote "A市A3区..." somewhere in a long message.

The rule, in order:

1. The address wins over the text: the text is searched only when the
   address names no district and no known place.
2. In the address, the first district named (by name or alias) wins:
   addresses are written from large to small, so the first is the district
   and a later one is usually a landmark ("A5区洞井街道（靠近A1区）").
   If no district is named, the first known place (street, town) decides.
3. In the text, a district named together with one of its own places is the
   most specific mention and wins ("户口在A7县，现在A3区西湖街道租房" → A3区);
   otherwise the first district named; otherwise the first known place.

Matching is careful with the anonymised names: "A1区" never matches inside
"A11区", and a bare alias such as "A3" counts only when no letter or digit
comes before it and punctuation, a space or the end comes after it ("A3，",
an address of just "A3"). On the city's message board a bare "A6" is a
building ("A6栋"), a paper size ("A4纸"), a car ("奥迪A6") or a number plate
("楚A3F52P7") far more often than a district, so anything else is not one.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from config.catalogue import Catalogue, District
from hotline.text import nfkc

# What may follow a bare alias such as "A3" for it to count as a district.
BOUNDARY_AFTER_BARE_ALIAS = r"(?=$|[\s，。、；：！？,.;:!?）)】」”])"

__all__ = ["DistrictRecogniser", "recognise_district"]


class Mention(NamedTuple):
    """One place in a string where a district is named (``explicit``) or one of its places is."""

    position: int
    district: District
    explicit: bool


class DistrictRecogniser:
    """Recognises districts with patterns built once from a catalogue; keep one per catalogue."""

    def __init__(self, catalogue: Catalogue):
        self._districts: dict[str, District] = {}
        full_names, bare_aliases, places = [], [], []
        for district in catalogue.districts:
            for alias in {district.name, *district.aliases}:
                key = _normalise(alias)
                self._districts[key] = district
                (bare_aliases if key[-1].isdigit() else full_names).append(key)
            for place in district.places:
                self._districts[_normalise(place)] = district
                places.append(_normalise(place))
        no_alnum_before = r"(?<![A-Z0-9])"
        self._patterns = tuple((pattern, explicit) for pattern, explicit in (
            (_compile(no_alnum_before + _alternatives(full_names), full_names), True),
            (_compile(no_alnum_before + _alternatives(bare_aliases) + BOUNDARY_AFTER_BARE_ALIAS,
                      bare_aliases), True),
            (_compile(_alternatives(places), places), False),
        ) if pattern is not None)

    def recognise(self, text: str, address: str = "") -> District | None:
        """Return the district the demand is in, or ``None`` when neither string names one.

        Args:
            text: the citizen's message (title and body).
            address: the address given for the problem, if any; preferred over the text.
        """
        found_in_address = self._mentions(address)
        if found_in_address:
            return _choose(found_in_address, prefer_confirmed=False)
        found_in_text = self._mentions(text)
        return _choose(found_in_text, prefer_confirmed=True) if found_in_text else None

    def _mentions(self, source: str) -> list[Mention]:
        source = _normalise(source)
        return [Mention(match.start(), self._districts[match.group(1)], explicit)
                for pattern, explicit in self._patterns for match in pattern.finditer(source)]


def recognise_district(text: str, address: str = "", *, catalogue: Catalogue) -> District | None:
    """Return the district named in ``address`` or else in ``text`` (rule in the module docstring).

    Builds the patterns on every call; code that recognises many tickets
    should keep a :class:`DistrictRecogniser` instead.
    """
    return DistrictRecogniser(catalogue).recognise(text, address)


def _choose(mentions: list[Mention], prefer_confirmed: bool) -> District:
    named = [mention for mention in mentions if mention.explicit]
    if not named:
        return min(mentions, key=lambda mention: mention.position).district
    confirmed = {mention.district.name for mention in mentions if not mention.explicit}

    def rank(mention: Mention) -> tuple[bool, int]:
        unconfirmed = prefer_confirmed and mention.district.name not in confirmed
        return unconfirmed, mention.position

    return min(named, key=rank).district


def _normalise(value: str) -> str:
    """Full-width "Ａ３区" and lower-case "a3区" are written by hand and mean "A3区"."""
    return nfkc(value).upper()


def _alternatives(words: list[str]) -> str:
    # Longest first, so "暮云街道" is not cut short by a shorter overlapping word.
    return "(" + "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True)) + ")"


def _compile(pattern: str, words: list[str]) -> re.Pattern | None:
    return re.compile(pattern) if words else None
