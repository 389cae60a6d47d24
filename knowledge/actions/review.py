"""审核: submitting a version, publishing it or sending it back, and withdrawing an article."""
from __future__ import annotations

from datetime import datetime

from knowledge.actions._core import expect_latest, latest, load_article, record, version_of
from knowledge.base import KnowledgeBase
from knowledge.models import Article, ArticleVersion
from knowledge.permissions import REVIEWERS, SUBMITTERS, WITHDRAWERS, check_role
from knowledge.search.documents import encode_terms, version_terms
from knowledge.states import ArticleStatus, VersionStatus
from tracking.actions import Actor
from tracking.actions._core import require_text
from tracking.actions.errors import Forbidden, TransitionError


def submit_for_review(kb: KnowledgeBase, article_id: int, *, actor: Actor, now: datetime,
                      version: int | None = None) -> ArticleVersion:
    """提交审核: send the latest draft to the knowledge team.

    Raises:
        Forbidden: the actor may not submit this article.
        TransitionError: the latest version is not a draft, or is not ``version``.
    """
    with kb.db.transaction() as session:
        article = load_article(session, article_id, actor)
        check_role(actor, article.department_id, SUBMITTERS, "提交审核")
        expect_latest(article, version)
        draft = latest(session, article)
        if draft.status != VersionStatus.DRAFT:
            raise TransitionError("只有草稿可以提交审核")
        draft.status = VersionStatus.PENDING_REVIEW
        draft.submitted_at = now
        article.status = ArticleStatus.PENDING_REVIEW
        record(session, article, "submit", actor, now, version=draft.number)
    return draft


def publish_article(kb: KnowledgeBase, article_id: int, *, actor: Actor, now: datetime,
                    version: int, note: str = "") -> ArticleVersion:
    """审核通过并发布: the reviewed version becomes the live one, in search at once.

    Args:
        version: the number of the version the reviewer read; refused when a
            newer version was saved meanwhile, so nobody publishes unread text.

    Raises:
        Forbidden: not a reviewer, or the reviewer wrote this version.
        TransitionError: the version is not pending review or not the latest.
    """
    analyzer = kb.analyzer  # loaded before the transaction: the first load takes a second
    with kb.db.transaction() as session:
        article = load_article(session, article_id, actor)
        check_role(actor, article.department_id, REVIEWERS, "审核发布")
        expect_latest(article, version)
        pending = version_of(session, article, version)
        if pending.status != VersionStatus.PENDING_REVIEW:
            raise TransitionError("该版本不在待审核状态")
        if actor.user_id is not None and pending.created_by_id == actor.user_id:
            raise Forbidden("不能审核发布自己编写的版本，请由其他审核人员审核")
        if article.published_version is not None:
            version_of(session, article, article.published_version).status = VersionStatus.SUPERSEDED
        pending.index_terms = encode_terms(version_terms(analyzer, pending))
        pending.index_fingerprint = analyzer.fingerprint
        _review(pending, actor, now, note)
        pending.status = VersionStatus.PUBLISHED
        article.published_version = pending.number
        article.status = ArticleStatus.PUBLISHED
        article.published_at = now
        record(session, article, "publish", actor, now, version=pending.number, note=note,
               searchable_change=True)
    return pending


def return_for_changes(kb: KnowledgeBase, article_id: int, *, actor: Actor, now: datetime,
                       version: int, note: str) -> ArticleVersion:
    """退回修改: the reviewer sends the version back to its editors with the reason.

    Raises:
        Forbidden: not a reviewer.
        InvalidInput: no reason given.
        TransitionError: the version is not pending review or not the latest.
    """
    note = require_text(note, "退回理由", 2000)
    with kb.db.transaction() as session:
        article = load_article(session, article_id, actor)
        check_role(actor, article.department_id, REVIEWERS, "审核")
        expect_latest(article, version)
        pending = version_of(session, article, version)
        if pending.status != VersionStatus.PENDING_REVIEW:
            raise TransitionError("该版本不在待审核状态")
        _review(pending, actor, now, note)
        pending.status = VersionStatus.DRAFT
        article.status = ArticleStatus.DRAFT
        record(session, article, "return", actor, now, version=pending.number, note=note)
    return pending


def withdraw_article(kb: KnowledgeBase, article_id: int, *, actor: Actor, now: datetime,
                     reason: str) -> Article:
    """下线: take the article off the public site and the console at once (e.g. the policy ended).

    A draft being worked on stays; publishing it later brings the article back.

    Raises:
        Forbidden: the actor may not withdraw this article.
        InvalidInput: no reason given.
        TransitionError: nothing is published.
    """
    reason = require_text(reason, "下线理由", 2000)
    with kb.db.transaction() as session:
        article = load_article(session, article_id, actor)
        check_role(actor, article.department_id, WITHDRAWERS, "下线")
        if article.published_version is None:
            raise TransitionError("该条目没有已发布的版本")
        live = version_of(session, article, article.published_version)
        live.status = VersionStatus.WITHDRAWN
        if article.latest_version == live.number:
            article.status = ArticleStatus.WITHDRAWN
        article.published_version = None
        record(session, article, "withdraw", actor, now, version=live.number, note=reason,
               searchable_change=True)
    return article


def _review(version: ArticleVersion, actor: Actor, now: datetime, note: str) -> None:
    version.reviewed_by_id = actor.user_id
    version.reviewed_by_name = actor.name
    version.reviewed_at = now
    version.review_note = (note or "").strip()
