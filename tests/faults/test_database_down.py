"""The database unreachable (restarting, failing over): clients get a clear retryable 503, never a 500.

The PostgreSQL restart under load itself is ``scripts/faults/postgres_restart.py`` (it restarts
the machine's server, which a test must not do); this checks the answer clients get meanwhile.
"""
from __future__ import annotations

import pytest

from config.settings import Settings
from hotline.services import build_services
from hotline.web.app import create_app
from tests.faults.conftest import free_port


@pytest.fixture
async def client(aiohttp_client, tmp_path, clock):
    settings = Settings.from_env({}, database_url=f"postgresql://hotline@127.0.0.1:{free_port()}/gone",
                                 var_dir=str(tmp_path / "var"), redis_url="", secret_key="test-secret-" + "x" * 32)
    services = build_services(settings, clock=clock)
    yield await aiohttp_client(create_app(settings, services, start_background=False))
    services.close()


async def test_api_clients_get_503_with_retry_after(client):
    response = await client.post("/api/v1/tickets", json={"content": "路灯不亮"},
                                 headers={"Authorization": "Bearer hk_" + "k" * 43})
    assert response.status == 503
    assert response.headers["Retry-After"] == "5"
    body = await response.json()
    assert body["retryable"] is True and "重试" in body["error"]


async def test_browsers_get_a_plain_503_page(client):
    page = await client.get("/login")  # the login form itself needs no database
    html = await page.text()
    marker = 'name="csrf-token" content="'
    token = html[html.index(marker) + len(marker):].split('"', 1)[0]
    response = await client.post("/login", data={"username": "agent1", "password": "demo12345", "_csrf": token})
    assert response.status == 503 and response.headers["Retry-After"] == "5"
    assert "数据库暂时不可用" in await response.text()
    assert (await client.get("/healthz")).status == 503
