"""Unicode NFKC once per text, however many readers fold it.

Full-width "Ａ３区，" and half-width "A3区," are the same words to the rules,
the district recogniser, the survey-answer parser and the repeat finder, and
each folds a ticket's text with NFKC. A citizen's Chinese text nearly always
holds full-width punctuation, so the quick check fails and each normalisation
is a full pass: four or five of them per ticket were several percent of a web
process's CPU at intake's peak. The cache gives every reader after the first
the same result for the same string.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def nfkc(text: str) -> str:
    """``text`` in Unicode normal form NFKC (compatibility characters folded)."""
    return unicodedata.normalize("NFKC", text)
