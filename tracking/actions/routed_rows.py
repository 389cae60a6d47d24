"""Registering tickets routed as they are written: routing's plans first, then the rows, one transaction.

Both ways of registering (``register_ticket`` for one, ``register_tickets`` for
an intake group) take an optional :class:`IntakeRouting`. Its plans are made
before the transaction (they need no database, and a failure there must cost
nothing but the shortcut); each planned item then drops the routing job it
asked for, and is written routed.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from hotline.bulk import rows_together
from tracking.actions.intake_dispatch import IntakeRouting
from tracking.actions.ticket_rows import Checked, write_tickets
from tracking.ledger import Ledger
from tracking.models import Ticket

log = logging.getLogger(__name__)


def plan_routes(routing: IntakeRouting | None, items: Sequence[Checked]) -> tuple[list[Checked], list]:
    """Routing's plan for each item that asks for its job (None for the others, and for all if it fails).

    Returns:
        The items, without the routing job where there is a plan, and the plans in the same order.
    """
    plans: list = [None] * len(items)
    asking = [n for n, item in enumerate(items) if routing and any(f[0] == routing.task for f in item.follow_ups)]
    if not asking:
        return list(items), plans
    try:
        for position, plan in zip(asking, routing.plan([items[n] for n in asking])):
            plans[position] = plan
    except Exception:  # noqa: BLE001 - a routing fault must not refuse a citizen's ticket
        log.exception("routing at intake failed; the tickets' routing jobs will route them")
        return list(items), [None] * len(items)
    return [replace(item, follow_ups=tuple(f for f in item.follow_ups if f[0] != routing.task))
            if plan is not None else item for item, plan in zip(items, plans)], plans


def write_routed(session: Session, ledger: Ledger, items: Sequence[Checked], plans: Sequence,
                 routing: IntakeRouting | None) -> list[Ticket]:
    """Write the items in the caller's transaction, each routed as its plan says (``write_tickets``).

    Every table's rows go to the database in one statement when this returns (``rows_together``).
    """
    routing = routing if any(plan is not None for plan in plans) else None
    routes = routing.orders(session, plans, max(item.now for item in items)) if routing else []
    with rows_together(session):
        tickets = write_tickets(session, ledger, items, routes)
        if routing:
            routing.keep(session, tickets, plans, routes)
    return tickets
