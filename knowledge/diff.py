"""What changed between two versions of a text, for the reviewer (character level: Chinese has no spaces)."""
from __future__ import annotations

from difflib import SequenceMatcher

# (text, kind) with kind "same", "added" or "removed"; templates render each as
# a span, so the text itself is always escaped.
Piece = tuple[str, str]


def text_diff(before: str, after: str) -> list[Piece]:
    matcher = SequenceMatcher(None, before or "", after or "", autojunk=False)
    pieces: list[Piece] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append((before[a1:a2], "same"))
            continue
        if op in ("delete", "replace"):
            pieces.append((before[a1:a2], "removed"))
        if op in ("insert", "replace"):
            pieces.append((after[b1:b2], "added"))
    return pieces


def changed(before: str, after: str) -> bool:
    return (before or "") != (after or "")
