"""What the knowledge actions share: loading an article the actor may touch, writing versions and events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import sync
from knowledge.fields import ArticleFields
from knowledge.models import Article, ArticleEvent, ArticleVersion
from knowledge.permissions import may_view_unpublished
from knowledge.states import VersionStatus
from tracking.actions import Actor
from tracking.actions.errors import NotFound, TransitionError


def load_article(session: Session, article_id: int, actor: Actor, *, lock: bool = True) -> Article:
    """The article, locked for the transaction, if the actor may see it.

    Raises:
        NotFound: no such article, or an unpublished one the actor may not see
            (the same answer either way, so drafts cannot be probed).
    """
    article = session.get(Article, article_id, with_for_update=lock)
    if article is None or (article.published_version is None
                           and not may_view_unpublished(actor, article.department_id)):
        raise NotFound("知识条目不存在或无权查看")
    return article


def version_of(session: Session, article: Article, number: int | None) -> ArticleVersion:
    version = None if number is None else session.scalar(select(ArticleVersion).where(
        ArticleVersion.article_id == article.id, ArticleVersion.number == number))
    if version is None:
        raise NotFound("该版本不存在")
    return version


def latest(session: Session, article: Article) -> ArticleVersion:
    return version_of(session, article, article.latest_version)


def expect_latest(article: Article, based_on: int | None) -> None:
    """Refuse to act on a version someone else has replaced meanwhile (lost update).

    Raises:
        TransitionError: ``based_on`` is not the article's latest version.
    """
    if based_on is not None and based_on != article.latest_version:
        raise TransitionError(
            f"该条目已有更新的版本（第{article.latest_version}版），请刷新后查看再操作")


def new_version(session: Session, article: Article, fields: ArticleFields, actor: Actor,
                now: datetime, number: int, change_note: str = "") -> ArticleVersion:
    version = ArticleVersion(
        article=article, number=number, status=VersionStatus.DRAFT, question=fields.question,
        answer=fields.answer, keywords=fields.keywords, service_codes=list(fields.service_codes),
        valid_from=fields.valid_from, valid_until=fields.valid_until,
        source_document=fields.source_document, guide=dict(fields.guide) if fields.guide else None,
        change_note=(change_note or "").strip()[:500], created_by_id=actor.user_id,
        created_by_name=actor.name, created_at=now, review_note="")
    session.add(version)
    return version


def record(session: Session, article: Article, action: str, actor: Actor, now: datetime, *,
           version: int | None = None, note: str = "", searchable_change: bool = False) -> ArticleEvent:
    """Append the article's audit event; advance the knowledge clock when search results change."""
    article.updated_at = now
    if searchable_change:
        article.generation = sync.advance(session)
    event = ArticleEvent(article_id=article.id, action=action, version=version, actor_id=actor.user_id,
                         actor_name=actor.name, actor_role=actor.role.value, at=now, note=note or "")
    session.add(event)
    return event
