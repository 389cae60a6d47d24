"""Citizens' "this answered my question" on the public help pages, counted once per person and day."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from knowledge.base import KnowledgeBase
from knowledge.models import Article, ArticleFeedback
from tracking.actions.errors import LedgerError, NotFound

ONE_VOTE_PER = timedelta(days=1)  # a second click by the same person within a day is not counted again
BURST_WINDOW = timedelta(minutes=1)


class TooManyRequests(LedgerError):
    """The client sent more feedback than the rate limit allows (HTTP 429)."""

    http_status = 429


def record_feedback(kb: KnowledgeBase, article_id: int, *, helpful: bool, client_hash: str,
                    now: datetime, per_minute: int) -> bool:
    """Count one citizen's verdict on an article.

    Args:
        client_hash: a keyed hash of the client's address (see ``knowledge.public``).
        per_minute: how many verdicts one client may send per minute, all articles together.

    Returns:
        True when the verdict was counted; False when this client already gave
        one on this article within a day (the page thanks them either way).

    Raises:
        NotFound: the article is not published and valid today.
        TooManyRequests: the client exceeded ``per_minute``.
    """
    if kb.live(article_id, now=now) is None:
        raise NotFound("该条目不存在或已下线")
    with kb.db.transaction() as session:
        recent = session.scalar(select(func.count(ArticleFeedback.id)).where(
            ArticleFeedback.client_hash == client_hash, ArticleFeedback.at > now - BURST_WINDOW))
        if recent >= per_minute:
            raise TooManyRequests("操作过于频繁，请稍后再试")
        repeated = session.scalar(select(ArticleFeedback.id).where(
            ArticleFeedback.client_hash == client_hash, ArticleFeedback.article_id == article_id,
            ArticleFeedback.at > now - ONE_VOTE_PER).limit(1))
        session.add(ArticleFeedback(article_id=article_id, helpful=helpful, client_hash=client_hash, at=now))
        if repeated is not None:
            return False
        column = Article.helpful_count if helpful else Article.not_helpful_count
        session.execute(update(Article).where(Article.id == article_id).values({column: column + 1}))
    return True
