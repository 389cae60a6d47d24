"""Staff accounts and machine keys: creating them and checking who is calling.

Passwords are hashed with argon2id (argon2-cffi's defaults follow RFC 9106's
recommendation). API keys are 32 random bytes shown once; only their SHA-256
is stored, which is enough for secrets with that much entropy.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from hotline.db import Database
from tracking.accounts import ApiKey, Department, User
from tracking.actions import Actor, InvalidInput
from tracking.states import Role

_hasher = PasswordHasher()
KEY_PREFIX = "hk_"
MIN_PASSWORD_LENGTH = 8
# A machine posting hundreds of tickets a second would otherwise cost a database read per
# request; a revoked key or deactivated account therefore keeps working at most this long.
KEY_CACHE_SECONDS = 10.0
KEY_CACHE_SIZE = 1000
_key_cache: dict[str, tuple[float, Actor]] = {}
_key_cache_lock = threading.Lock()
_monotonic = time.monotonic  # tests move it forward


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}位")
    return _hasher.hash(password)


def create_user(db: Database, *, username: str, display_name: str, role: Role, now: datetime,
                password: str | None = None, department_code: str | None = None,
                agent_interface: str | None = None) -> User:
    """Create a staff account; department staff must name their department.

    Raises:
        InvalidInput: username taken, unknown department, or department missing for staff.
    """
    role = Role(role)
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.username == username)):
            raise InvalidInput(f"用户名 {username} 已存在")
        department_id = None
        if department_code:
            department_id = session.scalar(select(Department.id).where(Department.code == department_code))
            if department_id is None:
                raise InvalidInput(f"承办单位 {department_code} 不存在")
        if role is Role.DEPARTMENT and department_id is None:
            raise InvalidInput("承办单位账号须指定所属单位")
        user = User(username=username, display_name=display_name, role=role.value,
                    department_id=department_id, agent_interface=agent_interface, created_at=now,
                    password_hash=hash_password(password) if password else None, active=True)
        session.add(user)
    return user


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if stored is not _DUMMY_HASH else None


def create_api_key(db: Database, *, name: str, now: datetime, role: Role = Role.AGENT,
                   department_code: str | None = None) -> str:
    """Create a key and the service account it acts as; returns the key (shown once)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    user = create_user(db, username=f"api:{name}", display_name=f"接口:{name}", role=role, now=now,
                       department_code=department_code)
    with db.transaction() as session:
        if session.scalar(select(ApiKey.id).where(ApiKey.name == name)):
            raise InvalidInput(f"密钥名称 {name} 已存在")
        session.add(ApiKey(name=name, prefix=key[:10], key_hash=_digest(key), user_id=user.id, created_at=now))
    return key


def actor_for_api_key(db: Database, key: str) -> Actor | None:
    """The actor behind a key, or None when the key is unknown, revoked or its account inactive.

    Known keys are remembered for ``KEY_CACHE_SECONDS`` per process (by digest, never
    the key itself); unknown ones are looked up every time, so nothing can fill the cache.
    """
    if not key or not key.startswith(KEY_PREFIX):
        return None
    cached = cached_api_key_actor(key)
    if cached is not None:
        return cached
    digest, now = _digest(key), _monotonic()
    with db.reading() as session:
        user = session.scalar(select(User).join(ApiKey).where(
            ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None), User.active.is_(True)))
        actor = Actor.of(user) if user else None
    with _key_cache_lock:
        if actor is None:
            _key_cache.pop(digest, None)
        else:
            if len(_key_cache) >= KEY_CACHE_SIZE:
                _key_cache.clear()
            _key_cache[digest] = (now + KEY_CACHE_SECONDS, actor)
    return actor


def cached_api_key_actor(key: str) -> Actor | None:
    """The actor of a key looked up less than ``KEY_CACHE_SECONDS`` ago, without touching the database.

    Cheap enough for the event loop: a web handler tries it before sending the lookup to a thread.
    """
    cached = _key_cache.get(_digest(key))
    return cached[1] if cached is not None and cached[0] > _monotonic() else None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
