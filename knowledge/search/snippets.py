"""Short extracts of an answer around the words that matched, for result lists.

Extracts are returned as (text, matched) segments, so templates mark the
matches with ``<mark>`` while Jinja still escapes every character of the text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

Segment = tuple[str, bool]
SNIPPET_LENGTH = 90


def surface_forms(matched: Iterable[str], synonyms: dict[str, str]) -> list[str]:
    """Every word that stands for a matched term (the term itself and its synonyms)."""
    matched = set(matched)
    forms = set(matched) | {word for word, canonical in synonyms.items() if canonical in matched}
    # a single character (带, 办) matches everywhere: marking it would only add noise
    return sorted((f for f in forms if len(f) > 1), key=len, reverse=True)


def snippet(text: str, words: Iterable[str], length: int = SNIPPET_LENGTH) -> list[Segment]:
    """About ``length`` characters of ``text`` starting a little before the first match."""
    text = " ".join((text or "").split())
    words = [w for w in words if w]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - 15) if first else 0
    piece = text[start:start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    segments = [(prefix, False)] if prefix else []
    segments += mark(piece, pattern)
    if suffix:
        segments.append((suffix, False))
    return segments


def mark(text: str, pattern: re.Pattern | None) -> list[Segment]:
    if pattern is None:
        return [(text, False)] if text else []
    segments, position = [], 0
    for found in pattern.finditer(text):
        if found.start() > position:
            segments.append((text[position:found.start()], False))
        segments.append((found.group(0), True))
        position = found.end()
    if position < len(text):
        segments.append((text[position:], False))
    return segments
