"""Storing fresh index terms after the vocabulary changed, so processes start without re-analysing."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from knowledge import sync
from knowledge.base import KnowledgeBase
from knowledge.models import Article, ArticleVersion
from knowledge.search.documents import encode_terms, version_terms

BATCH = 500


def reindex(kb: KnowledgeBase) -> int:
    """Re-analyse every published version stored under another vocabulary; returns how many.

    Each batch advances the knowledge clock, so running web processes pick up
    the new terms as they would a publish.
    """
    analyzer = kb.analyzer
    done = 0
    while True:
        with kb.db.transaction() as session:
            rows = session.execute(
                select(Article, ArticleVersion)
                .join(ArticleVersion, and_(ArticleVersion.article_id == Article.id,
                                           ArticleVersion.number == Article.published_version))
                .where(or_(ArticleVersion.index_fingerprint.is_(None),
                           ArticleVersion.index_fingerprint != analyzer.fingerprint))
                .limit(BATCH)).all()
            if not rows:
                return done
            generation = sync.advance(session)
            for article, version in rows:
                version.index_terms = encode_terms(version_terms(analyzer, version))
                version.index_fingerprint = analyzer.fingerprint
                article.generation = generation
            done += len(rows)
