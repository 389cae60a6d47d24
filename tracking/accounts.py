"""Departments, staff accounts and machine keys: who may act on the ledger."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import AwareDateTime, Base
from tracking.states import Role


class Department(Base):
    """A unit tickets are dispatched to (承办单位): a bureau, a utility or a district office."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="city")
    tier: Mapped[str] = mapped_column(String(20), default="medium")
    district: Mapped[str | None] = mapped_column(String(20))
    expert_line: Mapped[str | None] = mapped_column(String(40))
    # Where 催办 reminders are texted (a duty phone); none known means in-app only.
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    reminder_texted_at: Mapped[datetime | None] = mapped_column(AwareDateTime())  # the last 催办 text
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    users: Mapped[list["User"]] = relationship(back_populates="department")


class User(Base):
    """A staff login, or the service account behind an API key (no password)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    agent_interface: Mapped[str | None] = mapped_column(String(64))  # e.g. PJSIP/1001, for screen pop
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())

    department: Mapped[Department | None] = relationship(back_populates="users")
    api_keys: Mapped[list["ApiKey"]] = relationship(back_populates="user")


class ApiKey(Base):
    """A key for machines (upstream platforms, Open311 clients, load tests).

    Only a SHA-256 of the key is kept: keys are long random strings, so a slow
    password hash would add nothing but latency to every API call.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime())

    user: Mapped[User] = relationship(back_populates="api_keys")
