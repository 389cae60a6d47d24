"""Who is calling and what they may open: sessions, API keys, CSRF and role checks."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from aiohttp import web
from aiohttp_session import get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from config.settings import Settings
from hotline.auth import actor_for_api_key, cached_api_key_actor
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from tracking.actions import Actor
from tracking.queries import user_by_id
from tracking.states import Role

ACTOR = web.RequestKey("hotline.actor", object)
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Paths authenticated by their own signature or key, never by a browser cookie.
CSRF_EXEMPT_PREFIXES = ("/hooks/", "/open311/")


def session_storage(settings: Settings) -> EncryptedCookieStorage:
    """Sessions live in an encrypted cookie, so every web process can read them."""
    key = hashlib.sha256(settings.secret_key.encode()).digest()  # 32 raw bytes, as Fernet needs
    return EncryptedCookieStorage(
        key, cookie_name="hotline_session", max_age=settings.session_max_age, httponly=True,
        samesite="Lax", secure=settings.public_url.startswith("https://"))


async def current_actor(request: web.Request) -> Actor | None:
    """The person (session) or machine (API key) behind the request, or None."""
    if ACTOR in request:
        return request[ACTOR]
    services = request.app[SERVICES]
    actor = None
    key = api_key_of(request)
    if key:
        actor = cached_api_key_actor(key) or await run_blocking(actor_for_api_key, services.db, key)
    else:
        session = await get_session(request)
        user_id = session.get("user_id")
        if user_id is not None:
            user = await run_blocking(user_by_id, services.db, user_id)
            actor = Actor.of(user) if user is not None and user.active else None
    request[ACTOR] = actor
    return actor


def api_key_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return request.headers.get("X-Api-Key")


async def login_session(request: web.Request, user) -> None:
    """Start a fresh session for ``user`` (a new cookie, so a planted one is useless)."""
    session = await new_session(request)
    session["user_id"] = user.id
    session["csrf"] = secrets.token_urlsafe(24)


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


@web.middleware
async def csrf_middleware(request: web.Request, handler):
    """Refuse a state-changing browser request that lacks the session's CSRF token."""
    if request.method in UNSAFE_METHODS and not request.path.startswith(CSRF_EXEMPT_PREFIXES) \
            and not api_key_of(request):
        session = await get_session(request)
        if request.path.startswith("/api/") and "user_id" not in session:
            # Nobody is logged in, so there is no ambient authority to forge: the
            # handler answers 401 itself, which is the useful answer for a machine.
            return await handler(request)
        expected = session.get("csrf")
        given = request.headers.get(CSRF_HEADER)
        if given is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            given = (await request.post()).get(CSRF_FIELD)
        if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
            raise web.HTTPForbidden(text="请求已过期或来源不明（CSRF校验失败），请刷新页面后重试。")
    return await handler(request)


def requires(*roles: Role):
    """Let a handler run only for a logged-in actor with one of ``roles``.

    Pages redirect anonymous visitors to the login page; API paths answer 401.
    """
    allowed = frozenset(roles)

    def decorate(handler):
        @functools.wraps(handler)
        async def wrapped(request: web.Request):
            actor = await current_actor(request)
            if actor is None:
                if request.path.startswith("/api/"):
                    raise web.HTTPUnauthorized(text='{"error": "需要登录或API密钥"}', content_type="application/json")
                raise web.HTTPFound(f"/login?next={request.path_qs}")
            if allowed and actor.role not in allowed:
                raise web.HTTPForbidden(text="当前角色无权访问此页面")
            return await handler(request)
        return wrapped
    return decorate


STAFF = (Role.AGENT, Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
