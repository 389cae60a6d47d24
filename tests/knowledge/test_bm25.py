"""The BM25 index on its own: ranking, replacing and removing documents, filters, speed at 10,000."""
from __future__ import annotations

import random
import time

from knowledge.search.bm25 import Bm25Index


def test_rare_terms_weigh_more_than_common_ones():
    index = Bm25Index()
    index.put(1, {"办理": 1, "居住证": 1})
    index.put(2, {"办理": 1, "护照": 1})
    index.put(3, {"办理": 1, "社保": 1})
    ranked = index.search(["办理", "护照"])
    assert [r.key for r in ranked][0] == 2
    assert ranked[0].matched == ("办理", "护照")
    assert index.search(["不存在"]) == []


def test_shorter_documents_win_on_equal_matches():
    index = Bm25Index()
    index.put(1, {"停水": 1, **{f"词{i}": 1 for i in range(30)}})
    index.put(2, {"停水": 1, "小区": 1})
    assert [r.key for r in index.search(["停水"])] == [2, 1]


def test_put_replaces_and_remove_forgets():
    index = Bm25Index()
    index.put(7, {"燃气": 2})
    index.put(7, {"供暖": 1})
    assert index.search(["燃气"]) == [] and [r.key for r in index.search(["供暖"])] == [7]
    index.remove(7)
    assert len(index) == 0 and index.search(["供暖"]) == []
    index.remove(7)  # removing twice is harmless
    index.put(8, {"供暖": 1})  # the freed slot is reused
    assert [r.key for r in index.search(["供暖"])] == [8]


def test_filter_skips_without_losing_places():
    index = Bm25Index()
    for key in range(1, 6):
        index.put(key, {"停电": float(key)})
    ranked = index.search(["停电"], limit=2, accept=lambda key: key % 2 == 1)
    assert [r.key for r in ranked] == [5, 3]


def test_ten_thousand_documents_are_searched_well_within_50_ms():
    rng = random.Random(9)
    vocabulary = [f"词{i}" for i in range(6000)]
    common = ["办理", "需要", "材料", "本市", "申请"]
    index = Bm25Index()
    for key in range(10_000):
        terms = {word: float(rng.randint(1, 3)) for word in rng.sample(vocabulary, 60)}
        terms.update({word: 1.0 for word in common if rng.random() < 0.6})
        index.put(key, terms)
    queries = [rng.sample(vocabulary, 4) + common[:3] for _ in range(50)]
    index.search(queries[0])  # first use builds the arrays
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, limit=5)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    assert timings[len(timings) // 2] < 50, timings
