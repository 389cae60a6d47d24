"""Reading the knowledge base for staff pages, with the visibility rules applied here, once.

Agents see published articles; department staff also see their own
department's drafts and history; supervisors and admins see everything.
Citizens see only published articles valid today (``public_article``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from hotline.db import Database
from knowledge.models import Article, ArticleEvent, ArticleVersion
from knowledge.permissions import SEE_ALL_DRAFTS, may_view_unpublished
from knowledge.states import ArticleStatus
from tracking.actions import Actor
from tracking.actions.errors import NotFound
from tracking.models import Ticket, TicketEvent
from tracking.states import Role

PER_PAGE = 30
USAGE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class ArticleFilter:
    status: str | None = None
    department_id: int | None = None
    text: str | None = None
    expiring_before: date | None = None   # published articles whose validity ends before this day
    page: int = 1


@dataclass(frozen=True)
class ArticleRow:
    article: Article
    latest: ArticleVersion


@dataclass(frozen=True)
class ArticlePage:
    rows: list[ArticleRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


@dataclass(frozen=True)
class ArticleDetail:
    article: Article
    latest: ArticleVersion
    published: ArticleVersion | None
    versions: list[ArticleVersion]
    events: list[ArticleEvent]
    source_ticket_number: str | None
    used_recently: int  # 直接办结 citing this article in the last 30 days


def list_articles(db: Database, actor: Actor, flt: ArticleFilter) -> ArticlePage:
    """One page of the articles the actor may see, most recently changed first."""
    latest = and_(ArticleVersion.article_id == Article.id, ArticleVersion.number == Article.latest_version)
    query = select(Article, ArticleVersion).join(ArticleVersion, latest)
    if actor.role not in SEE_ALL_DRAFTS:
        visible = Article.published_version.is_not(None)
        if actor.role is Role.DEPARTMENT:
            visible = or_(visible, Article.department_id == actor.department_id)
        query = query.where(visible)
    if flt.status:
        query = query.where(Article.status == flt.status)
    if flt.department_id:
        query = query.where(Article.department_id == flt.department_id)
    if flt.text:
        pattern = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(ArticleVersion.question.like(pattern, escape="\\"),
                                ArticleVersion.answer.like(pattern, escape="\\"),
                                ArticleVersion.keywords.like(pattern, escape="\\")))
    if flt.expiring_before:
        query = query.where(Article.published_version.is_not(None),
                            ArticleVersion.valid_until.is_not(None), ArticleVersion.valid_until < flt.expiring_before)
    page = max(1, flt.page)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.options(joinedload(Article.department))
                               .order_by(Article.updated_at.desc(), Article.id.desc())
                               .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return ArticlePage([ArticleRow(a, v) for a, v in rows], total, page)


def article_detail(db: Database, article_id: int, actor: Actor, now: datetime) -> ArticleDetail:
    """An article with its versions and audit trail, as far as the actor may see them.

    Raises:
        NotFound: no such article, or an unpublished one the actor may not see.
    """
    with db.reading() as session:
        article = session.get(Article, article_id, options=[joinedload(Article.department)])
        if article is None:
            raise NotFound("知识条目不存在或无权查看")
        full = may_view_unpublished(actor, article.department_id)
        if article.published_version is None and not full:
            raise NotFound("知识条目不存在或无权查看")
        versions = list(session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id)
                                        .order_by(ArticleVersion.number.desc())))
        by_number = {v.number: v for v in versions}
        published = by_number.get(article.published_version) if article.published_version else None
        latest = by_number[article.latest_version] if full else published
        events = list(session.scalars(select(ArticleEvent).where(ArticleEvent.article_id == article.id)
                                      .order_by(ArticleEvent.id.desc()))) if full else []
        source = session.scalar(select(Ticket.number).where(Ticket.id == article.source_ticket_id)) \
            if article.source_ticket_id else None
        used = session.scalar(select(func.count(TicketEvent.id)).where(
            TicketEvent.action == "answer_directly", TicketEvent.at >= now - USAGE_WINDOW,
            TicketEvent.data["article_id"].as_integer() == article.id)) or 0
    return ArticleDetail(article, latest, published, versions if full else [v for v in [published] if v],
                         events, source, used)


def version_detail(db: Database, article_id: int, number: int, actor: Actor) -> ArticleVersion:
    """One version of an article (history is for those who may see unpublished text).

    Raises:
        NotFound: unknown article or version, or the actor may not see it.
    """
    with db.reading() as session:
        article = session.get(Article, article_id)
        version = session.scalar(select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.number == number)) if article else None
        if version is None or (not may_view_unpublished(actor, article.department_id)
                               and number != article.published_version):
            raise NotFound("该版本不存在或无权查看")
        return version


def pending_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(Article.id)).where(
            Article.status == ArticleStatus.PENDING_REVIEW)) or 0


@dataclass(frozen=True)
class PublicArticle:
    article: Article
    version: ArticleVersion


def public_article(db: Database, article_id: int, today: date) -> PublicArticle:
    """The live version of an article, for citizens: published and valid ``today``.

    Raises:
        NotFound: unknown, unpublished, withdrawn, not yet valid or expired.
    """
    with db.reading() as session:
        row = session.execute(_public_query(today).where(Article.id == article_id)).first()
    if row is None:
        raise NotFound("该条目不存在或已下线")
    return PublicArticle(*row)


def popular_articles(db: Database, today: date, limit: int = 8) -> list[PublicArticle]:
    """The articles citizens found most helpful, for the help page before anyone searches."""
    with db.reading() as session:
        rows = session.execute(_public_query(today).order_by(
            Article.helpful_count.desc(), Article.published_at.desc(), Article.id).limit(limit)).all()
    return [PublicArticle(*row) for row in rows]


def _public_query(today: date):
    live = and_(ArticleVersion.article_id == Article.id, ArticleVersion.number == Article.published_version)
    return (select(Article, ArticleVersion).join(ArticleVersion, live)
            .options(joinedload(Article.department))
            .where(or_(ArticleVersion.valid_from.is_(None), ArticleVersion.valid_from <= today),
                   or_(ArticleVersion.valid_until.is_(None), ArticleVersion.valid_until >= today)))
