"""The words that say what a text is about (TF-IDF over jieba words), for topics and drafts."""
from __future__ import annotations

import functools

import jieba.analyse

from knowledge.search.analyzer import Analyzer


@functools.lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    # jieba's IDF table, computed over a large general Chinese corpus: common
    # words (我们, 问题) weigh little, specific ones (公积金, 居住证) a lot.
    extractor = jieba.analyse.TFIDF()
    return extractor.idf_freq, extractor.median_idf


def keywords(analyzer: Analyzer, text: str, limit: int = 5) -> list[str]:
    """The ``limit`` most telling words of ``text``, synonyms folded, most telling first."""
    idf, median = _idf()
    counts: dict[str, int] = {}
    for word in analyzer.words(text):
        counts[word] = counts.get(word, 0) + 1
    scored = sorted(counts, key=lambda w: (-counts[w] * idf.get(w, median), w))
    return scored[:limit]
