"""Tying a call to the ticket the agent wrote during it (来电关联工单).

The agent console registers the ticket with the call's id from the screen pop
(``/console?call=<linkedid>``) and then calls :func:`link_call_to_ticket`. The
call's row may not exist yet (the console can be faster than the listener's
write), so linking creates it; the listener's later writes keep the link.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from hotline.db import Database
from telephony.calls import Direction
from telephony.models import Call
from tracking.actions import Actor, Forbidden, InvalidInput, NotFound
from tracking.models import Ticket
from tracking.states import Role

CALL_ID = re.compile(r"[0-9]{1,20}\.[0-9]{1,10}|CA[0-9a-f]{32}")
"""An Asterisk Linkedid (``1795309969.3``) or a Twilio CallSid (``CA`` + 32 hex digits)."""

LINKING_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM}


def link_call_to_ticket(db: Database, linkedid: str, ticket_id: int, *, actor: Actor, now: datetime) -> Call:
    """Record that call ``linkedid`` led to ticket ``ticket_id``.

    A call keeps the first ticket linked to it; a second ticket written in the
    same call leaves the link as it is (both tickets name the call in their
    own records, where the console puts it).

    Returns:
        The call's row, detached.
    Raises:
        InvalidInput: ``linkedid`` is not a call id.
        Forbidden: department staff do not answer calls.
        NotFound: no such ticket.
    """
    linkedid = (linkedid or "").strip()
    if not CALL_ID.fullmatch(linkedid):
        raise InvalidInput("来电编号格式不正确")
    if actor.role not in LINKING_ROLES:
        raise Forbidden("当前角色无权关联来电")
    with db.transaction() as session:
        if session.get(Ticket, ticket_id) is None:
            raise NotFound("工单不存在或无权查看")
        call = session.scalar(select(Call).where(Call.linkedid == linkedid).with_for_update())
        if call is None:
            call = Call(linkedid=linkedid, source="twilio" if linkedid.startswith("CA") else "asterisk",
                        direction=Direction.INBOUND.value, arrived_at=now, last_event_at=now, updated_at=now,
                        partial=True, abandoned_in_queue=False, ring_no_answer=[])
            session.add(call)
        if call.ticket_id is None:
            call.ticket_id = ticket_id
            call.updated_at = now
        session.flush()
    return call
