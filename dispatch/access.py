"""Read access that 协办 gives: the questions tracking's access rules ask of dispatch's table.

Tracking decides who sees a ticket (``tracking.actions._core.can_see`` and
``tracking.queries``); a department assisting on a ticket may read it, so
those rules ask here. Only tables are imported, so tracking depends on no
dispatch logic.
"""
from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from dispatch.models import TicketAssist


def assists(session: Session, department_id: int | None, ticket_id: int) -> bool:
    """Whether the department currently assists (协办) on the ticket."""
    if department_id is None:
        return False
    return bool(session.scalar(select(exists().where(
        TicketAssist.ticket_id == ticket_id, TicketAssist.department_id == department_id,
        TicketAssist.removed_at.is_(None)))))


def assisted_ticket_ids(department_id: int | None) -> Select:
    """Ids of the tickets the department currently assists on, for use in ``IN (...)``."""
    return select(TicketAssist.ticket_id).where(
        TicketAssist.department_id == department_id, TicketAssist.removed_at.is_(None))
