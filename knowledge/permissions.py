"""Who may do what in the knowledge base.

Admins edit every article and departments their own (the department that owns
an answer is the one that knows when it stops being true). The supervision
office is the knowledge team: it reviews and publishes, turns good department
replies into drafts, and may withdraw an article; agents read what is published.
Nobody publishes a version they wrote themselves.
"""
from __future__ import annotations

from tracking.actions import Actor
from tracking.actions.errors import Forbidden
from tracking.states import Role

EDITORS = frozenset({Role.ADMIN, Role.DEPARTMENT})
SUBMITTERS = frozenset({Role.ADMIN, Role.DEPARTMENT, Role.SUPERVISOR})
REVIEWERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
WITHDRAWERS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.DEPARTMENT})
LEARNERS = frozenset({Role.ADMIN, Role.SUPERVISOR})   # 由答复生成知识草稿
SEE_ALL_DRAFTS = frozenset({Role.ADMIN, Role.SUPERVISOR})


def owns(actor: Actor, department_id: int | None) -> bool:
    return actor.department_id is not None and actor.department_id == department_id


def may_view_unpublished(actor: Actor, department_id: int) -> bool:
    """Drafts and history: the knowledge team, admins, and the owning department."""
    return actor.role in SEE_ALL_DRAFTS or (actor.role is Role.DEPARTMENT and owns(actor, department_id))


def may_edit(actor: Actor, department_id: int) -> bool:
    return actor.role is Role.ADMIN or (actor.role is Role.DEPARTMENT and owns(actor, department_id))


def check_edit(actor: Actor, department_id: int) -> None:
    """Raise unless ``actor`` may write a version of an article owned by ``department_id``.

    Raises:
        Forbidden: the actor's role does not edit, or the article is another department's.
    """
    if actor.role not in EDITORS:
        raise Forbidden("当前角色无权编辑知识库")
    if not may_edit(actor, department_id):
        raise Forbidden("只能编辑本单位的知识条目")


def check_role(actor: Actor, department_id: int, roles: frozenset[Role], what: str) -> None:
    """Raise unless the actor's role is in ``roles`` (department staff: for their own articles only).

    Raises:
        Forbidden: wrong role, or another department's article.
    """
    if actor.role not in roles:
        raise Forbidden(f"当前角色无权{what}")
    if actor.role is Role.DEPARTMENT and not owns(actor, department_id):
        raise Forbidden(f"只能{what}本单位的知识条目")
