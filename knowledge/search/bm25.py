"""An in-memory inverted index ranked with Okapi BM25, updated one document at a time.

BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and
Beyond", 2009) scores a document for each query term by the term's rarity
(idf) and its frequency in the document, damped by the document's length
relative to the average. Postings are kept per term as dictionaries (cheap to
change on publish) and turned into numpy arrays when first searched, so a
query over ten thousand articles adds up a few vectors instead of looping
over documents in Python.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

K1 = 1.2   # how quickly repeated terms stop adding to the score
B = 0.75   # how strongly long documents are penalised


@dataclass(frozen=True)
class Ranked:
    key: int
    score: float
    matched: tuple[str, ...]


class Bm25Index:
    """Documents are bags of weighted terms under an integer key (the article id).

    Not thread-safe: the owner (``knowledge.base.KnowledgeBase``) serialises access.
    """

    def __init__(self, k1: float = K1, b: float = B):
        self.k1, self.b = k1, b
        self._slot_of: dict[int, int] = {}
        self._keys: list[int | None] = []
        self._lengths: list[float] = []
        self._terms_of: list[Mapping[str, float] | None] = []
        self._free: list[int] = []
        self._postings: dict[str, dict[int, float]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._length_array: np.ndarray | None = None
        self._total_length = 0.0

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, key: int) -> bool:
        return key in self._slot_of

    def put(self, key: int, terms: Mapping[str, float]) -> None:
        """Add a document, or replace the one under ``key``.

        Args:
            terms: term -> weighted frequency (positive numbers).
        """
        if key in self._slot_of:
            self.remove(key)
        slot = self._free.pop() if self._free else len(self._keys)
        if slot == len(self._keys):
            self._keys.append(None), self._lengths.append(0.0), self._terms_of.append(None)
        self._keys[slot], self._terms_of[slot] = key, terms
        self._lengths[slot] = length = sum(terms.values())
        self._slot_of[key] = slot
        self._total_length += length
        postings = self._postings
        for term, weight in terms.items():
            postings.setdefault(term, {})[slot] = weight
        if self._arrays:  # empty while the index is being loaded: nothing to forget then
            for term in terms:
                self._arrays.pop(term, None)
        self._length_array = None

    def remove(self, key: int) -> None:
        slot = self._slot_of.pop(key, None)
        if slot is None:
            return
        for term in self._terms_of[slot] or {}:
            postings = self._postings[term]
            del postings[slot]
            if not postings:
                del self._postings[term]
            self._arrays.pop(term, None)
        self._total_length -= self._lengths[slot]
        self._keys[slot], self._terms_of[slot], self._lengths[slot] = None, None, 0.0
        self._free.append(slot)
        self._length_array = None

    def search(self, terms: Iterable[str], limit: int = 10,
               accept: Callable[[int], bool] | None = None) -> list[Ranked]:
        """The best ``limit`` documents for the query terms, best first.

        Args:
            accept: a filter on keys (e.g. "valid today"); rejected documents
                are skipped without costing a place in the result.
        """
        query = [t for t in dict.fromkeys(terms) if t in self._postings]
        if not query or not self._slot_of:
            return []
        count = len(self._slot_of)
        lengths = self._lengths_np()
        norm = self.k1 * (1 - self.b + self.b * lengths / (self._total_length / count))
        scores = np.zeros(len(self._keys))
        for term in query:
            slots, weights = self._array(term)
            idf = math.log(1 + (count - len(slots) + 0.5) / (len(slots) + 0.5))
            scores[slots] += idf * weights * (self.k1 + 1) / (weights + norm[slots])
        candidates = np.flatnonzero(scores)
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        ranked = []
        for slot in order:
            key = self._keys[slot]
            if key is None or (accept is not None and not accept(key)):
                continue
            doc_terms = self._terms_of[slot] or {}
            ranked.append(Ranked(key, float(scores[slot]), tuple(t for t in query if t in doc_terms)))
            if len(ranked) >= limit:
                break
        return ranked

    def _array(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        cached = self._arrays.get(term)
        if cached is None:
            postings = self._postings[term]
            cached = (np.fromiter(postings.keys(), dtype=np.int64, count=len(postings)),
                      np.fromiter(postings.values(), dtype=np.float64, count=len(postings)))
            self._arrays[term] = cached
        return cached

    def _lengths_np(self) -> np.ndarray:
        if self._length_array is None:
            self._length_array = np.asarray(self._lengths, dtype=np.float64)
        return self._length_array
