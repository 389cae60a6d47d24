"""Logging in through the real login form, as a browser would."""
from __future__ import annotations

from tests.support.factories import UserFactory
from tracking.accounts import User
from tracking.states import Role


async def login(client, services, role: Role, department=None, password="correct-horse-1") -> str:
    """Log a new user in through the form; returns the CSRF token of the new session."""
    actor = UserFactory.create(services, role, department=department, password=password)
    page = await client.get("/login")
    token = _csrf_of(await page.text())
    with services.db.reading() as session:
        username = session.get(User, actor.user_id).username
    response = await client.post("/login", data={"username": username, "password": password, "_csrf": token},
                                 allow_redirects=False)
    assert response.status == 302, await response.text()
    home = await client.get("/")
    return _csrf_of(await home.text())


def _csrf_of(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]
