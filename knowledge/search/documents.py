"""What the index keeps of a published article, and how its text is weighted for search."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from knowledge.search.analyzer import Analyzer
from knowledge.states import GUIDE_FIELDS

# A word in the question says more about what the article answers than the same
# word somewhere in a long answer; the editors' keywords (常见问法) are written
# for search, so they weigh almost as much as the question.
QUESTION_WEIGHT = 3.0
KEYWORDS_WEIGHT = 2.0
ANSWER_WEIGHT = 1.0
GUIDE_WEIGHT = 0.5


@dataclass(frozen=True)
class IndexedArticle:
    """The live version of an article, as kept in memory for search results."""

    id: int
    version: int
    question: str
    answer: str
    keywords: str
    department_code: str
    department_name: str
    service_codes: tuple[str, ...]
    valid_from: date | None
    valid_until: date | None
    has_guide: bool
    published_at: datetime | None

    def valid_on(self, day: date) -> bool:
        """Whether the article applies on ``day`` (both ends of the period included)."""
        return (self.valid_from is None or self.valid_from <= day) and \
            (self.valid_until is None or day <= self.valid_until)


def version_terms(analyzer: Analyzer, version) -> dict[str, float]:
    """The weighted terms of an article version (question, keywords, answer, guide)."""
    guide = version.guide or {}
    guide_text = " ".join(
        "\n".join(guide.get(name) or []) if name == "materials" else str(guide.get(name) or "")
        for name, _label in GUIDE_FIELDS if name in ("what", "conditions", "materials"))
    return analyzer.weighted_terms([
        (version.question, QUESTION_WEIGHT), (version.keywords, KEYWORDS_WEIGHT),
        (version.answer, ANSWER_WEIGHT), (guide_text, GUIDE_WEIGHT)])


def encode_terms(terms: dict[str, float]) -> str:
    return json.dumps(terms, ensure_ascii=False, separators=(",", ":"))


def decode_terms(raw: str) -> dict[str, float]:
    """The stored terms as written by :func:`encode_terms` (weights are floats there already)."""
    return json.loads(raw)
