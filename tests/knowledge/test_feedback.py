"""Citizens' feedback on an article: counted once per person and day, rate-limited, live articles only."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from knowledge import actions as kact
from knowledge.models import Article, ArticleFeedback
from tracking.actions import NotFound


def _counts(services, article_id):
    with services.db.reading() as session:
        article = session.get(Article, article_id)
        return article.helpful_count, article.not_helpful_count


def test_one_vote_per_person_article_and_day(services, kb, people, articles, clock):
    article = articles.published(services, people["water"], people["supervisor"])
    assert kact.record_feedback(kb, article.id, helpful=True, client_hash="a", now=clock(), per_minute=20)
    assert not kact.record_feedback(kb, article.id, helpful=True, client_hash="a", now=clock(), per_minute=20)
    assert kact.record_feedback(kb, article.id, helpful=True, client_hash="b", now=clock(), per_minute=20)
    assert kact.record_feedback(kb, article.id, helpful=False, client_hash="c", now=clock(), per_minute=20)
    assert _counts(services, article.id) == (2, 1)
    clock.advance(days=1, minutes=1)
    assert kact.record_feedback(kb, article.id, helpful=True, client_hash="a", now=clock(), per_minute=20)
    assert _counts(services, article.id) == (3, 1)


def test_bursts_are_refused_with_429(services, kb, people, articles, clock):
    article = articles.published(services, people["water"], people["supervisor"])
    for _ in range(3):
        kact.record_feedback(kb, article.id, helpful=True, client_hash="bot", now=clock(), per_minute=3)
    with pytest.raises(kact.TooManyRequests) as refused:
        kact.record_feedback(kb, article.id, helpful=True, client_hash="bot", now=clock(), per_minute=3)
    assert refused.value.http_status == 429
    clock.advance(minutes=2)
    kact.record_feedback(kb, article.id, helpful=True, client_hash="bot", now=clock(), per_minute=3)
    assert _counts(services, article.id) == (1, 0)


def test_no_feedback_on_drafts(services, kb, people, articles, clock):
    draft = articles.draft(services, people["water"])
    with pytest.raises(NotFound):
        kact.record_feedback(kb, draft.id, helpful=True, client_hash="a", now=clock(), per_minute=20)
    with services.db.reading() as session:
        assert session.scalar(select(func.count(ArticleFeedback.id))) == 0
