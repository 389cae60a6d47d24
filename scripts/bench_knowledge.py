"""Benchmark: knowledge base search latency at 10,000 published articles.

    .venv/bin/python scripts/bench_knowledge.py [--url sqlite:///var/bench_knowledge.sqlite3 --url postgresql://...]
                                                [--articles 10000] [--rebuild] [--write-docs]

Builds (once; ``--rebuild`` to start again) a knowledge base of ``--articles``
published articles in the given database: the 105 demo articles, and variants
of them for every district, year and office, with sentences of other articles
mixed into each answer, so the vocabulary and the overlap between articles
look like a city's real base rather than ten thousand copies. Articles are
written by the real importer (which analyses them and stores their index
terms, as publishing does).

Then it times what the agent console and the help page call,
``KnowledgeBase.search`` (including its check of the knowledge clock in the
database), on a fresh process-level index: the cold start (loading jieba and
the stored terms of every published article), then each query of two sets:
short questions in callers' words, and whole ticket texts as an agent types
them (the demo's 320 sample messages). It reports p50/p95/p99 per set.

With ``--write-docs`` the figures replace this benchmark's section of
docs/benchmarks.md (between its markers), leaving other sections as they are.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from config.catalogue import load_catalogue  # noqa: E402
from hotline.db import Database  # noqa: E402
from hotline.migrate import upgrade  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.importer import DEMO_ARTICLES, ImportedArticle, import_articles, read_articles  # noqa: E402
from knowledge.models import Article  # noqa: E402
from knowledge.reindex import reindex  # noqa: E402
from tracking.catalogue_sync import sync_departments  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
MARKERS = ("<!-- bench_knowledge:start -->", "<!-- bench_knowledge:end -->")
DISTRICTS = ["A1区", "A2区", "A3区", "A4区", "A5区", "A6区", "A7县", "A8县", "A9市"]
OFFICES = ["政务服务中心", "便民服务中心", "街道办事处", "社区服务站", "区分中心"]
QUESTIONS = [
    "我是外地来打工的，想办个暂住证，要带啥", "家里水龙头突然一滴水都没有了", "厨房里有一股煤气味道",
    "干了三个月活老板一分钱工资都不给", "我妈要去北京住院，医保那边要先弄什么手续", "宝宝上个月出生了，怎么报户口",
    "租的房子能不能用住房公积金付房租", "驾照下个月到期了怎么换", "想开个小卖部，执照怎么办",
    "网上买的衣服不合适能退吗", "孩子今年九月上一年级，要准备哪些材料", "房子漏水了能不能动用维修基金",
    "电梯卡住了人被关在里面", "被公司裁员了能领失业补助吗", "领证结婚还要户口本吗", "暖气片不热屋里才十几度",
    "个税退税怎么弄", "小区停水了什么时候能恢复供水", "办护照要多少钱多久能拿", "家里困难想吃低保",
]


def variants(base: list[ImportedArticle], count: int, rng: random.Random) -> list[ImportedArticle]:
    """``count`` published articles: the demo base, then district/year/office variants of it."""
    published = [a for a in base if a.status == "published"]
    count += len(base) - len(published)  # drafts and pending articles of the demo are not searched
    sentences = [s for a in published for s in a.fields.answer.replace("\n", "。").split("。") if len(s) > 8]
    made = list(base)
    n = 0
    while len(made) < count:
        source = published[n % len(published)]
        district, office = rng.choice(DISTRICTS), rng.choice(OFFICES)
        year = rng.choice([2024, 2025, 2026, 2027])
        extra = "。".join(rng.sample(sentences, 2))
        fields = source.fields.__class__(
            question=f"{district}{source.fields.question}（{year}年{office}）",
            answer=f"{district}{office}：{source.fields.answer}\n{extra}。",
            keywords=source.fields.keywords, service_codes=source.fields.service_codes,
            source_document=source.fields.source_document, guide=source.fields.guide)
        made.append(ImportedArticle(f"bench-{n}", source.department, source.status, fields))
        n += 1
    return made[:count]


def build(db: Database, kb: KnowledgeBase, count: int) -> float:
    sync_departments(db, load_catalogue())
    base = read_articles(DEMO_ARTICLES, kb.known_services)
    articles = variants(base, count, random.Random(12345))
    started = time.perf_counter()
    for chunk in range(0, len(articles), 1000):
        import_articles(kb, articles[chunk:chunk + 1000], now=NOW)
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]
    return at(0.50), at(0.95), at(0.99)


def time_queries(kb: KnowledgeBase, queries: list[str], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            kb.search(query, now=NOW, limit=5)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", action="append",
                        help="database URL (repeat for several backends); default a SQLite file under var/")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    urls = args.url or [f"sqlite:///{ROOT / 'var' / 'bench_knowledge.sqlite3'}"]
    report = "\n\n".join(measure(url, args) for url in urls)
    report += "\n\nReproduce: `.venv/bin/python scripts/bench_knowledge.py [--url URL ...] --write-docs`."
    print(report)
    if args.write_docs:
        write_docs(report)
    return 0


def measure(url: str, args: argparse.Namespace) -> str:
    """Build the base in ``url`` if needed, then time a fresh process's searches; returns the report."""
    if args.rebuild and url.startswith("sqlite:///"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    upgrade(url)
    db = Database(url)
    services = {s.code: s.name for s in load_catalogue().services}
    with db.reading() as session:
        present = session.scalar(select(func.count(Article.id)).where(Article.published_version.is_not(None)))
    built = None
    if present < args.articles * 0.9:
        built = build(db, KnowledgeBase(db, TZ, known_services=services), args.articles)
    reindexed = reindex(KnowledgeBase(db, TZ, known_services=services))  # the vocabulary changed since the build
    with db.reading() as session:
        published = session.scalar(select(func.count(Article.id)).where(Article.published_version.is_not(None)))

    kb = KnowledgeBase(db, TZ, known_services=services)  # a fresh process: nothing in memory yet
    started = time.perf_counter()
    kb.sync()
    cold = time.perf_counter() - started
    samples = yaml.safe_load((ROOT / "hotline" / "demo" / "messages.yaml").read_text(encoding="utf-8"))["messages"]
    texts = [f"{m['title']}\n{m['content']}" for m in samples]
    short = time_queries(kb, QUESTIONS, args.rounds * 5)
    long = time_queries(kb, texts, args.rounds)
    rows = [("短问题（来电人原话）", short), ("整段诉求（坐席录入的标题+内容）", long)]
    lines = [
        f"**{db.dialect}**: {published:,} published articles (`KnowledgeBase.search`, top 5, including the "
        f"knowledge-clock check in the database), Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU cores shared with other work.",
        "",
        "| Queries | n | p50 | p95 | p99 |",
        "|---|---|---|---|---|",
    ]
    for label, timings in rows:
        p50, p95, p99 = percentiles(timings)
        lines.append(f"| {label} | {len(timings)} | {p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms |")
    lines += ["", f"Cold start of a process's index (jieba dictionary + stored terms of every article): {cold:.1f} s. "
                  f"Mean over all queries: {statistics.mean(short + long):.1f} ms."]
    if reindexed:
        lines.append(f"({reindexed:,} articles were re-analysed first: the vocabulary had changed since the build.)")
    if built is not None:
        lines.append(f"Writing the {args.articles:,} articles through the importer (analysed once, terms stored): "
                     f"{built:.0f} s.")
    db.dispose()
    return "\n".join(lines)


def write_docs(report: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = (f"{MARKERS[0]}\n## Knowledge base search at 10,000 articles (scripts/bench_knowledge.py)\n\n"
               f"Goal: the best articles within 50 ms.\n\n{report}\n{MARKERS[1]}")
    if MARKERS[0] in text and MARKERS[1] in text:
        start, end = text.index(MARKERS[0]), text.index(MARKERS[1]) + len(MARKERS[1])
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
