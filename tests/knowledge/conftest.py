"""Knowledge base fixtures: departments, the people who write and review, and articles walked to a state."""
from __future__ import annotations

from datetime import date

import pytest

from knowledge import actions as kact
from knowledge.fields import ArticleFields
from hotline.auth import create_user
from tests.support.factories import DepartmentFactory
from tracking.actions import Actor
from tracking.states import Role


@pytest.fixture
def kb(services):
    return services.knowledge


@pytest.fixture
def depts(services):
    return {"water": DepartmentFactory.create(services, code="water", name="市水务集团"),
            "police": DepartmentFactory.create(services, code="public_security", name="市公安局")}


def staff(services, username: str, role: Role, department=None) -> Actor:
    """A staff account without a password: these tests act through the actions, not the login form
    (hashing a password costs half a second)."""
    user = create_user(services.db, username=username, display_name=f"{username}用户", role=role,
                       now=services.clock(), department_code=department.code if department else None)
    return Actor.of(user)


@pytest.fixture
def people(services, depts):
    return {"admin": staff(services, "admin", Role.ADMIN),
            "supervisor": staff(services, "supervisor", Role.SUPERVISOR),
            "agent": staff(services, "agent", Role.AGENT),
            "water": staff(services, "water", Role.DEPARTMENT, depts["water"]),
            "police": staff(services, "police", Role.DEPARTMENT, depts["police"])}


def fields(question: str = "家里突然没水了怎么办？", answer: str = "请先确认邻居家是否也停水，再检查户内阀门。",
           **more) -> ArticleFields:
    return ArticleFields(question=question, answer=answer, **more)


class ArticleFactory:
    """Articles through the real actions: written by the owning department, published by a supervisor."""

    @staticmethod
    def draft(services, author, department_id=None, **field_values):
        return kact.create_article(services.knowledge, fields(**field_values), actor=author, now=services.clock(),
                                   department_id=department_id)

    @staticmethod
    def published(services, author, reviewer, **field_values):
        article = ArticleFactory.draft(services, author, **field_values)
        kb, now = services.knowledge, services.clock()
        kact.submit_for_review(kb, article.id, actor=author, now=now)
        kact.publish_article(kb, article.id, actor=reviewer, now=now, version=1)
        return article


@pytest.fixture
def articles():
    return ArticleFactory


def day(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
async def client(aiohttp_client, settings, services):
    from hotline.web.app import create_app
    return await aiohttp_client(create_app(settings, services, start_background=False))


def csrf_of(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]
