"""编写: creating an article and writing new versions of it; every save is a new version."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from knowledge.actions._core import expect_latest, latest, load_article, new_version, record
from knowledge.base import KnowledgeBase
from knowledge.fields import ArticleFields
from knowledge.models import Article, ArticleVersion
from knowledge.permissions import EDITORS, check_edit
from knowledge.states import ArticleStatus, VersionStatus
from tracking.accounts import Department
from tracking.actions import Actor
from tracking.actions.errors import Forbidden, InvalidInput
from tracking.states import Role


def create_article(kb: KnowledgeBase, fields: ArticleFields, *, actor: Actor, now: datetime,
                   department_id: int | None = None, change_note: str = "") -> Article:
    """Write a new article as a draft (version 1).

    Args:
        department_id: the owning department; admins must choose one, department
            staff always write for their own department.

    Raises:
        Forbidden: the actor's role does not edit the knowledge base, or a
            department writes for another department.
        InvalidInput: invalid fields or unknown department.
    """
    if actor.role not in EDITORS:
        raise Forbidden("当前角色无权编辑知识库")
    if actor.role is Role.DEPARTMENT:
        if department_id not in (None, actor.department_id):
            raise Forbidden("只能为本单位编写知识条目")
        department_id = actor.department_id
    fields = fields.checked(kb.known_services)
    with kb.db.transaction() as session:
        _check_department(session, department_id)
        article = Article(department_id=department_id, status=ArticleStatus.DRAFT, latest_version=1,
                          created_at=now, updated_at=now, helpful_count=0, not_helpful_count=0, generation=0)
        session.add(article)
        session.flush()
        new_version(session, article, fields, actor, now, 1, change_note or "新建")
        record(session, article, "create", actor, now, version=1, note=change_note)
    return article


def edit_article(kb: KnowledgeBase, article_id: int, fields: ArticleFields, *, actor: Actor, now: datetime,
                 based_on: int | None = None, change_note: str = "",
                 department_id: int | None = None) -> ArticleVersion:
    """Save a new version of an article as a draft; the published version stays live until review.

    A draft or pending version this one replaces becomes history: only the
    latest version is ever reviewed.

    Args:
        based_on: the version number the editor started from; refused when
            someone saved a newer one meanwhile.
        department_id: a new owning department (admins only).

    Raises:
        Forbidden: the actor may not edit this article (e.g. another department's).
        TransitionError: the article changed since ``based_on``.
        InvalidInput: invalid fields.
    """
    fields = fields.checked(kb.known_services)
    with kb.db.transaction() as session:
        article = load_article(session, article_id, actor)
        check_edit(actor, article.department_id)
        expect_latest(article, based_on)
        note = (change_note or "").strip()
        if department_id is not None and department_id != article.department_id:
            if actor.role is not Role.ADMIN:
                raise Forbidden("只有管理员可以更改条目的所属单位")
            previous = session.get(Department, article.department_id)
            article.department = _check_department(session, department_id)
            note = f"{note}（所属单位由{previous.name}改为{article.department.name}）".strip()
        previous_latest = latest(session, article)
        if previous_latest.status in (VersionStatus.DRAFT, VersionStatus.PENDING_REVIEW):
            previous_latest.status = VersionStatus.SUPERSEDED
        article.latest_version += 1
        article.status = ArticleStatus.DRAFT
        version = new_version(session, article, fields, actor, now, article.latest_version, note)
        record(session, article, "edit", actor, now, version=article.latest_version, note=note)
    return version


def find_by_key(kb: KnowledgeBase, key: str) -> Article | None:
    with kb.db.reading() as session:
        return session.scalar(select(Article).where(Article.key == key))


def _check_department(session, department_id: int | None) -> Department:
    department = session.get(Department, department_id) if department_id else None
    if department is None or not department.active:
        raise InvalidInput("请选择所属单位（须为在用的承办单位）")
    return department
