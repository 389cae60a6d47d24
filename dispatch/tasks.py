"""Dispatch's background tasks; importing this module registers them in every process.

- ``dispatch.route_ticket`` (arg ``ticket_id``): intake's follow-up for every
  new request: propose, and dispatch or leave for triage.
- ``dispatch.note_proposals`` (every minute): tickets a person decided
  without routing's job (an agent at the console dispatched, answered or
  merged a call) get the proposal the model in use makes for them, noted
  only. It is what the agent was shown, so a department chosen other than the
  proposal can be found later as a correction.

The heavy modules (scikit-learn) are imported when a task first runs, so
processes that never route do not pay for them.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select

from dispatch.models import Outcome, TicketProposal
from hotline.jobs import JobContext, task
from hotline.scheduler import every
from tracking.models import Ticket
from tracking.states import Status

ROUTE_TASK = "dispatch.route_ticket"
NOTE_TASK = "dispatch.note_proposals"
NOTE_EVERY = timedelta(minutes=1)
NOTE_LOOKBACK = timedelta(days=2)  # a ticket decided longer ago than this is left alone
NOTE_BATCH = 500


def route_tickets_task(ctx: JobContext, jobs: list[dict]) -> None:
    """Route an intake group's tickets together (the batch form of ``dispatch.route_ticket``)."""
    from dispatch.routing import route_tickets

    route_tickets(ctx.services, [job["ticket_id"] for job in jobs], now=ctx.now)


@task(ROUTE_TASK, batch=route_tickets_task)
def route_ticket_task(ctx: JobContext, *, ticket_id: int) -> None:
    """Route one registered ticket (see ``dispatch.routing.route_ticket``)."""
    from dispatch.routing import route_ticket

    route_ticket(ctx.services, ticket_id, now=ctx.now)


@task(NOTE_TASK)
def note_proposals_task(ctx: JobContext) -> None:
    """Note the proposal for recently decided tickets that have none (console calls)."""
    note_missing_proposals(ctx.services, now=ctx.now)


def note_missing_proposals(services, *, now, limit: int = NOTE_BATCH) -> int:
    """Store a ``recorded`` proposal for each ticket decided by a person in the lookback window without one.

    Returns:
        How many proposals were stored.
    """
    from dispatch.routing import store_proposal
    from dispatch.service import propose

    with services.db.reading() as session:
        rows = session.execute(
            select(Ticket.id, Ticket.title, Ticket.content, Ticket.address, Ticket.district)
            .where(Ticket.registered_at >= now - NOTE_LOOKBACK,
                   Ticket.status.not_in([Status.REGISTERED, Status.MERGED]),
                   ~exists().where(TicketProposal.ticket_id == Ticket.id))
            .order_by(Ticket.id).limit(limit)).all()
    # Text and place only, as the console asked: the service on the ticket now is the agent's own choice.
    proposals = [(row.id, propose(services, f"{row.title}\n{row.content}", row.address,
                                  district=row.district)) for row in rows]
    with services.db.transaction() as session:
        for ticket_id, proposal in proposals:
            store_proposal(session, ticket_id, proposal, now=now, outcome=Outcome.RECORDED)
    return len(proposals)


every(NOTE_EVERY, NOTE_TASK)
