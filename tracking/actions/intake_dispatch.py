"""Routing at intake: a ticket written already sent to its department, in the transaction that registers it.

When routing knows the department before the ticket is written (intake routes
what it registers first, ``dispatch.intake_routing``), registering
the ticket and then dispatching it would be an insert and an update of the same
row, a job row, a queue message, a claim and two more transactions. Here the
new ticket gets the fields, events and notification that raising its urgency
(``dispatch.routing.raise_priority``) and
:func:`tracking.actions.dispatching.dispatch_ticket` would have given it, as
rows for the registration's own statements; its timeline reads the same either
way (登记 by its actor, then the router's urgency note and 派单).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from tracking.accounts import Department
from tracking.actions._core import check_transition, event_fields, move
from tracking.actions.actor import Actor
from tracking.actions.dispatching import dispatched_text, dues, set_department
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.notifications import notification_fields
from tracking.states import PRIORITY_LABELS, Priority

if TYPE_CHECKING:
    from tracking.actions.ticket_rows import Checked


@dataclass(frozen=True)
class IntakeRoute:
    """What routing does to a ticket being registered: raise its urgency, send it to a department, or both."""

    actor: Actor
    department: Department | None = None  # an active one (see IntakeRouter.orders); None: left for a dispatcher
    note: str = ""  # of the 派单 event
    service_code: str | None = None
    priority: Priority | None = None  # raised to this first (a rule's urgency); never lower than the ticket's
    priority_reason: str = ""


class IntakeRouting(Protocol):
    """Routing done while tickets are registered (dispatch's ``IntakeRouter``), in three steps."""

    task: str  # the follow-up job it does instead, e.g. ``dispatch.route_ticket``

    def plan(self, items: Sequence[Checked]) -> list[Any | None]:
        """Before the transaction (no database): a plan per item, or None to leave it to its job."""

    def orders(self, session: Session, plans: Sequence[Any | None], now: datetime) -> list[IntakeRoute | None]:
        """In the transaction: what is done to each planned ticket as it is written, if anything."""

    def keep(self, session: Session, tickets: Sequence[Ticket], plans: Sequence[Any | None],
             orders: Sequence[IntakeRoute | None]) -> None:
        """In the transaction, after the tickets are written: what routing keeps of each plan."""


def route_new(ledger: Ledger, ticket: Ticket, route: IntakeRoute, now: datetime) -> tuple[list[dict], list[dict]]:
    """Raise the urgency of, and dispatch, a registered ticket that is in no session yet.

    Returns:
        Its new event rows (the raise's note, the ``dispatch``) and notification rows.

    Raises:
        Forbidden, TransitionError: as ``dispatch_ticket`` (a routing actor that may not dispatch).
    """
    events, notices = [], []
    if route.priority is not None and route.priority != ticket.priority:
        before, ticket.priority = Priority(ticket.priority), route.priority
        from_status, to_status = move(ticket, "add_note", now)
        note, data = urgency_note(before, route.priority, route.priority_reason)
        events.append({"ticket_id": ticket.id, **event_fields(
            ticket.department_id, "add_note", route.actor, now, from_status=from_status, to_status=to_status,
            note=note, data=data)})
    if route.department is not None:
        check_transition(ticket, "dispatch", route.actor)
        set_department(ledger, ticket, route.department.id, now, route.service_code)
        ticket.department = route.department  # the answer shows it; the ticket is in no session, nothing cascades
        from_status, to_status = move(ticket, "dispatch", now)
        events.append({"ticket_id": ticket.id, **event_fields(
            ticket.department_id, "dispatch", route.actor, now, from_status=from_status, to_status=to_status,
            note=route.note, data={"department_code": route.department.code, **dues(ticket)})})
        notices.append(notification_fields(kind="dispatched", text=dispatched_text(ticket), now=now,
                                           ticket_id=ticket.id, department_id=ticket.department_id))
    return events, notices


def urgency_note(before: Priority, after: Priority, reason: str) -> tuple[str, dict]:
    """The note and data of the event that raises a ticket's urgency (routing's rules)."""
    return (f"{reason}：紧急程度 {PRIORITY_LABELS[before]} → {PRIORITY_LABELS[after]}",
            {"priority_from": before.value, "priority_to": after.value})
