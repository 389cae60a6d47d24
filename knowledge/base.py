"""The knowledge base of one deployment: the database, the analyser and the live search index.

Built once per process by ``hotline.services`` (``services.knowledge``) and
handed to the knowledge actions the way tracking's actions get a ``Ledger``.
The index holds every published article in memory. Before each search it
asks the database for the knowledge clock (one small query) and, when another
process has published, withdrawn or re-published something, reloads just
those articles; so a publish is searchable everywhere at once, with no
message bus and no restart.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select

from hotline.db import Database
from knowledge import sync
from knowledge.models import Article, ArticleVersion
from tracking.accounts import Department
from knowledge.search.analyzer import Analyzer, load_vocabulary
from knowledge.search.bm25 import Bm25Index
from knowledge.search.documents import IndexedArticle, decode_terms, version_terms
from knowledge.search.snippets import Segment, snippet, surface_forms

RELATIVE_CUTOFF = 0.3  # hits scoring below 30 % of the best one matched only on a passing word
MAX_QUERY_LENGTH = 2000


@dataclass(frozen=True)
class SearchHit:
    article: IndexedArticle
    score: float
    matched: tuple[str, ...]
    snippet: list[Segment]


@dataclass(frozen=True)
class SearchResult:
    query: str
    terms: tuple[str, ...]
    hits: list[SearchHit]
    took_ms: float


class KnowledgeBase:
    """Search over the published, currently valid articles, kept in step with the database."""

    def __init__(self, db: Database, tz: ZoneInfo, vocabulary_path: str | Path | None = None,
                 known_services: Mapping[str, str] | None = None):
        """
        Args:
            vocabulary_path: the synonyms file; empty means ``knowledge/data/synonyms.yaml``.
            known_services: catalogue service code -> name, to check and name
                the services articles are filed under.
        """
        self.db = db
        self.tz = tz
        self.vocabulary_path = vocabulary_path or None
        self.known_services: Mapping[str, str] = dict(known_services or {})
        self._lock = threading.RLock()
        self._analyzer: Analyzer | None = None
        self._index = Bm25Index()
        self._articles: dict[int, IndexedArticle] = {}
        self._generation = -1  # nothing loaded yet

    @property
    def analyzer(self) -> Analyzer:
        with self._lock:
            if self._analyzer is None:
                self._analyzer = Analyzer(load_vocabulary(self.vocabulary_path))
            return self._analyzer

    def search(self, text: str, *, now: datetime, limit: int = 5, service_code: str | None = None,
               department_code: str | None = None) -> SearchResult:
        """The best published articles valid on ``now``'s local day for ``text``, best first.

        Args:
            service_code / department_code: keep only articles filed under this
                catalogue service, or owned by this department.
        """
        self.sync()
        started = time.perf_counter()  # the search itself, not a first load of the index
        text = (text or "")[:MAX_QUERY_LENGTH]
        terms = tuple(self.analyzer.terms(text))
        today = now.astimezone(self.tz).date()
        with self._lock:
            def accept(key: int) -> bool:
                article = self._articles[key]
                return article.valid_on(today) and \
                    (service_code is None or service_code in article.service_codes) and \
                    (department_code is None or article.department_code == department_code)
            ranked = self._index.search(terms, limit=limit, accept=accept)
            best = ranked[0].score if ranked else 0.0
            chosen = [(self._articles[r.key], r) for r in ranked if r.score >= best * RELATIVE_CUTOFF]
        synonyms = dict(self.analyzer.vocabulary.synonyms)
        hits = [SearchHit(article, r.score, r.matched, snippet(article.answer, surface_forms(r.matched, synonyms)))
                for article, r in chosen]
        return SearchResult(text, terms, hits, (time.perf_counter() - started) * 1000)

    def live(self, article_id: int, *, now: datetime) -> IndexedArticle | None:
        """The published article if it is valid today (what a citizen may see), else None."""
        self.sync()
        with self._lock:
            article = self._articles.get(article_id)
        if article is None or not article.valid_on(now.astimezone(self.tz).date()):
            return None
        return article

    def __len__(self) -> int:
        with self._lock:
            return len(self._articles)

    def sync(self) -> None:
        """Bring the index up to date with the database (a no-op when nothing changed)."""
        with self._lock, self.db.reading() as session:
            generation = sync.current(session)
            if generation == self._generation:
                return
            live = and_(ArticleVersion.article_id == Article.id, ArticleVersion.number == Article.published_version)
            query = (select(*_COLUMNS).select_from(Article)
                     .join(Department, Department.id == Article.department_id).outerjoin(ArticleVersion, live))
            if self._generation >= 0:
                query = query.where(Article.generation > self._generation)
            else:
                query = query.where(Article.published_version.is_not(None))
            rows = session.execute(query).all()
            stale = [row.version_id for row in rows if row.version_id is not None
                     and (not row.index_terms or row.index_fingerprint != self.analyzer.fingerprint)]
            versions = {v.id: v for v in session.scalars(
                select(ArticleVersion).where(ArticleVersion.id.in_(stale)))} if stale else {}
            self._apply(rows, versions)
            self._generation = max([generation] + [row.generation for row in rows])

    def _apply(self, rows, stale_versions: dict[int, ArticleVersion]) -> None:
        analyzer = self.analyzer
        for row in rows:
            if row.version_id is None:  # withdrawn, or a draft that never went live
                self._index.remove(row.id)
                self._articles.pop(row.id, None)
                continue
            if row.version_id in stale_versions:  # written under another vocabulary: analyse again
                terms = version_terms(analyzer, stale_versions[row.version_id])
            else:
                terms = decode_terms(row.index_terms)
            self._index.put(row.id, terms)
            self._articles[row.id] = IndexedArticle(
                id=row.id, version=row.number, question=row.question, answer=row.answer, keywords=row.keywords,
                department_code=row.department_code, department_name=row.department_name,
                service_codes=tuple(row.service_codes or ()), valid_from=row.valid_from,
                valid_until=row.valid_until, has_guide=bool(row.guide), published_at=row.published_at)


# What the index keeps of each article, read as plain rows: loading ten thousand
# ORM objects at start-up would take longer than building the index itself.
_COLUMNS = (
    Article.id, Article.generation, Article.published_at,
    Department.code.label("department_code"), Department.name.label("department_name"),
    ArticleVersion.id.label("version_id"), ArticleVersion.number, ArticleVersion.question, ArticleVersion.answer,
    ArticleVersion.keywords, ArticleVersion.service_codes, ArticleVersion.valid_from, ArticleVersion.valid_until,
    ArticleVersion.guide, ArticleVersion.index_terms,
    ArticleVersion.index_fingerprint,
)
