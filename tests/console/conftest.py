"""Console fixtures: an app client, two departments, published articles and an agent logged in."""
from __future__ import annotations

import pytest

from hotline.web.app import create_app
from tests.knowledge.conftest import ArticleFactory, staff
from tests.support.factories import DepartmentFactory
from tests.support.web import login
from tracking.states import Role


@pytest.fixture
async def client(aiohttp_client, settings, services):
    return await aiohttp_client(create_app(settings, services, start_background=False))


@pytest.fixture
def depts(services):
    return {"water": DepartmentFactory.create(services, code="water", name="市水务集团"),
            "gas": DepartmentFactory.create(services, code="gas", name="市燃气集团")}


@pytest.fixture
def people(services, depts):
    return {"supervisor": staff(services, "reviewer", Role.SUPERVISOR),
            "agent": staff(services, "colleague", Role.AGENT),
            "water": staff(services, "water-staff", Role.DEPARTMENT, depts["water"])}


@pytest.fixture
def article(services, people):
    return ArticleFactory.published(services, people["water"], people["supervisor"],
                                    question="家里突然没水了怎么办？",
                                    answer="请先看邻居家是否也停水，再检查户内阀门；整栋楼停水请拨打12345报修。")


@pytest.fixture
async def agent_token(client, services, depts):
    return await login(client, services, Role.AGENT)
