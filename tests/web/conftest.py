"""An app client for HTTP tests, on each database backend, with staff logged in by key or session."""
from __future__ import annotations

import pytest

from hotline.auth import create_api_key
from hotline.web.app import create_app
from tests.support.factories import DepartmentFactory
from tracking.states import Role


@pytest.fixture
async def client(aiohttp_client, settings, services):
    app = create_app(settings, services, start_background=False)
    return await aiohttp_client(app)


@pytest.fixture
def departments(services):
    return {"water": DepartmentFactory.create(services, code="water", name="市水务集团"),
            "gas": DepartmentFactory.create(services, code="gas", name="市燃气集团")}


@pytest.fixture
def keys(services, departments):
    """API keys per role: Authorization headers ready to use."""
    now = services.clock()
    made = {
        "agent": create_api_key(services.db, name="agent", role=Role.AGENT, now=now),
        "supervisor": create_api_key(services.db, name="boss", role=Role.SUPERVISOR, now=now),
        "water": create_api_key(services.db, name="water", role=Role.DEPARTMENT, department_code="water", now=now),
        "gas": create_api_key(services.db, name="gas", role=Role.DEPARTMENT, department_code="gas", now=now),
    }
    return {name: {"Authorization": f"Bearer {key}"} for name, key in made.items()}
