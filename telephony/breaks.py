"""An agent's breaks in the queue (小休, 示忙): pause and unpause through call control, kept in a table.

The PBX stops offering calls to a paused agent; the ``agent_breaks`` rows let
the supervision office see who is on a break and for how long. A pause that
the PBX refused is not recorded, and an agent already on a break keeps it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hotline.db import Database
from hotline.web.blocking import run_blocking
from telephony.errors import controlled
from telephony.models import AgentBreak
from telephony.queries import agent_interface_of, open_break
from tracking.actions import Actor, InvalidInput

MAX_REASON = 40
DEFAULT_REASON = "小休"


@dataclass(frozen=True)
class AgentState:
    interface: str | None
    paused: bool
    reason: str | None
    since: datetime | None

    def to_json(self) -> dict:
        return {"interface": self.interface, "paused": self.paused, "reason": self.reason,
                "since": self.since.isoformat() if self.since else None}


def agent_state(db: Database, actor: Actor) -> AgentState:
    interface = agent_interface_of(db, actor.user_id)
    current = open_break(db, actor.user_id) if actor.user_id is not None else None
    return AgentState(interface, current is not None, current.reason if current else None,
                      current.started_at if current else None)


def require_interface(db: Database, actor: Actor) -> str:
    """The actor's phone in the PBX (``users.agent_interface``).

    Raises:
        InvalidInput: the account has no phone set (API keys, supervisors without a seat).
    """
    interface = agent_interface_of(db, actor.user_id)
    if not interface:
        raise InvalidInput("当前账号未绑定坐席分机（agent_interface），请联系管理员设置")
    return interface


async def pause_agent(services, control, *, actor: Actor, now: datetime, reason: str = "") -> AgentState:
    """小休: stop the PBX offering calls to the actor, and start a break."""
    reason = (reason or "").strip() or DEFAULT_REASON
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"小休原因不能超过{MAX_REASON}字")
    interface = await run_blocking(require_interface, services.db, actor)
    await controlled(control.pause(interface, services.settings.ami_queue or None, reason))
    await run_blocking(start_break, services.db, actor.user_id, interface, reason, now)
    return await run_blocking(agent_state, services.db, actor)


async def unpause_agent(services, control, *, actor: Actor, now: datetime) -> AgentState:
    """End the break: the PBX offers calls to the actor again."""
    interface = await run_blocking(require_interface, services.db, actor)
    await controlled(control.unpause(interface, services.settings.ami_queue or None, "示闲"))
    await run_blocking(end_break, services.db, actor.user_id, now)
    return await run_blocking(agent_state, services.db, actor)


def start_break(db: Database, user_id: int, interface: str, reason: str, now: datetime) -> None:
    with db.transaction() as session:
        current = session.scalar(select(AgentBreak).where(
            AgentBreak.user_id == user_id, AgentBreak.ended_at.is_(None)).with_for_update())
        if current is None:
            session.add(AgentBreak(user_id=user_id, interface=interface, reason=reason, started_at=now))


def end_break(db: Database, user_id: int, now: datetime) -> None:
    with db.transaction() as session:
        for current in session.scalars(select(AgentBreak).where(
                AgentBreak.user_id == user_id, AgentBreak.ended_at.is_(None)).with_for_update()):
            current.ended_at = max(now, current.started_at)
