"""What every action shares: loading a ticket it may touch, checking the rule, writing the event."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, object_session

from dispatch.access import assists
from tracking.actions.actor import Actor
from tracking.actions.errors import Forbidden, InvalidInput, NotFound, TransitionError
from tracking.models import Ticket, TicketEvent
from tracking.schedule import refresh_schedule
from tracking.states import STATUS_LABELS, TRANSITIONS, Role, Status


def load_ticket(session: Session, ticket_id: int, actor: Actor, *, lock: bool = True) -> Ticket:
    """Fetch a ticket the actor may see, locked for the rest of the transaction.

    Raises:
        NotFound: no such ticket, or it belongs to another department (the
            same answer either way, so ticket ids cannot be probed).
    """
    ticket = session.get(Ticket, ticket_id, with_for_update=lock)
    if ticket is None or not can_act(actor, ticket):
        raise NotFound("工单不存在或无权查看")
    return ticket


def can_act(actor: Actor, ticket: Ticket) -> bool:
    """Whether the actor may act on the ticket: a department only on tickets it leads (主办)."""
    if actor.role is Role.DEPARTMENT:
        return ticket.department_id is not None and ticket.department_id == actor.department_id
    return True


def can_see(actor: Actor, ticket: Ticket) -> bool:
    """Whether the actor may read the ticket: where it may act, and where its department assists (协办)."""
    if can_act(actor, ticket):
        return True
    session = object_session(ticket)
    return session is not None and assists(session, actor.department_id, ticket.id)


def check_transition(ticket: Ticket, action: str, actor: Actor) -> None:
    """Raise unless ``actor`` may run ``action`` on ``ticket`` now.

    Raises:
        Forbidden: the actor's role may never run this action.
        TransitionError: the ticket's status does not allow it.
    """
    rule = TRANSITIONS[action]
    if actor.role not in rule.roles:
        raise Forbidden(f"当前角色无权执行“{rule.label}”")
    if ticket.status not in rule.sources:
        raise TransitionError(
            f"工单{ticket.number}当前状态为“{STATUS_LABELS[Status(ticket.status)]}”，不能执行“{rule.label}”")


def record(session: Session, ticket: Ticket, action: str, actor: Actor, now: datetime, *,
           note: str = "", to_status: Status | None = None, **data: Any) -> TicketEvent:
    """Move the ticket (when the action does), re-time its current step, and append its event row."""
    from_status, target = move(ticket, action, now, to_status)
    event = TicketEvent(ticket=ticket, **event_fields(ticket.department_id, action, actor, now, from_status=from_status,
                                                      to_status=target, note=note, data=data))
    session.add(event)
    return event


def move(ticket: Ticket, action: str, now: datetime, to_status: Status | None = None) -> tuple[Status | None, Status]:
    """Set the status ``action`` leads to and re-time the step (``record`` without the event row).

    Returns:
        The status before and after, for the event.
    """
    rule = TRANSITIONS.get(action)
    from_status = Status(ticket.status) if ticket.status else None
    target = to_status or (rule.to if rule and rule.to else from_status)
    ticket.status = target
    ticket.updated_at = now
    refresh_schedule(ticket)
    return from_status, target


def event_fields(department_id: int | None, action: str, actor: Actor, now: datetime, *, from_status: Status | None,
                 to_status: Status, note: str, data: dict[str, Any]) -> dict[str, Any]:
    """The columns of one event row (all but the ticket), as :func:`record` and the sweep's bulk insert write them."""
    return dict(action=action, from_status=from_status, to_status=to_status, actor_id=actor.user_id,
                actor_name=actor.name, actor_role=actor.role.value, department_id=department_id, at=now,
                note=note or "", data=data)


def transition(session: Session, ticket_id: int, action: str, actor: Actor, now: datetime) -> Ticket:
    """Load the ticket and check the rule in one step (what most actions start with)."""
    ticket = load_ticket(session, ticket_id, actor)
    check_transition(ticket, action, actor)
    return ticket


def require_text(value: str | None, what: str, max_length: int = 5000) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"请填写{what}")
    if len(text) > max_length:
        raise InvalidInput(f"{what}不能超过{max_length}字")
    return storable(text, what)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str, what: str) -> str:
    """``value``, unless it holds what no database column can store: a NUL, or half of a UTF-16 pair.

    JSON's ``\\u0000`` and ``\\ud800`` escapes make such strings; refused here, they are
    the sender's error (400), not a failed write that would take the rest of an intake group
    with it.
    """
    if _UNSTORABLE.search(value):
        raise InvalidInput(f"{what}含有无法保存的字符（空字符或不成对的代理项）")
    return value
