"""Routing a registered ticket: propose, keep the proposal, and send it on or leave it for a dispatcher.

``route_ticket`` is what the ``dispatch.route_ticket`` job runs for every
ticket intake registers. A rule, or a model confident enough, sends the
ticket to its department at once, acting as the system actor "智能分派";
anything else stays registered and appears in the triage queue
(``/dispatch/triage``) with the proposal, its alternatives and the words
behind it. Either way the proposal is stored with the model version that
made it, which is what corrections are later measured against.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Outcome, TicketProposal
from dispatch.router import router_of
from dispatch.rules import higher_priority
from dispatch.service import Proposal, propose_many
from hotline.ids import assign_ids
from tracking.accounts import Department
from tracking.actions import Actor, InvalidInput, NotFound, TransitionError
from tracking.actions.dispatching import DispatchOrder, dispatch_tickets
from tracking.actions.intake_dispatch import urgency_note
from tracking.actions._core import load_ticket, record
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.states import Priority, Status

ROUTER_NAME = "智能分派"  # the system actor named in the timeline of tickets routing sent on


@dataclass(frozen=True)
class Routed:
    proposal: Proposal
    outcome: Outcome
    reason: str


def route_ticket(services, ticket_id: int, *, now: datetime) -> Routed | None:
    """Propose a department for a registered ticket and dispatch it when a rule or the model is sure.

    Returns:
        What was proposed and done; None when the ticket is gone, merged or
        already in a person's hands (nothing is stored then).
    """
    return route_tickets(services, [ticket_id], now=now).get(ticket_id)


def route_tickets(services, ticket_ids: list[int], *, now: datetime) -> dict[int, Routed]:
    """Route several registered tickets as :func:`route_ticket` routes each, with one read, one
    dispatch transaction and one for the proposals (an intake group's routing jobs run together).

    Returns:
        What was proposed and done for each ticket still waiting to be routed; the others are absent.
    """
    with services.db.reading() as session:
        waiting = session.execute(
            select(Ticket.id, Ticket.title, Ticket.content, Ticket.address, Ticket.priority, Ticket.service_code,
                   Ticket.district).where(Ticket.id.in_(ticket_ids), Ticket.status == Status.REGISTERED,
                                          Ticket.merged_into_id.is_(None)).order_by(Ticket.id)).all()
    actor = Actor.system(ROUTER_NAME)
    routed: dict[int, Routed] = {}
    proposals = propose_many(services, [(f"{row.title}\n{row.content}", row.address, row.service_code, row.district)
                                        for row in waiting])
    for row, proposal in zip(waiting, proposals):
        if higher_priority(row.priority, proposal.priority):
            raise_priority(services.ledger, row.id, proposal.priority, actor=actor, now=now,
                           reason=f"分派规则“{proposal.rule}”")
        outcome, reason = decide(services, proposal)
        routed[row.id] = Routed(proposal, outcome, reason)
    routed.update(_dispatch(services, {i: r for i, r in routed.items() if r.outcome is Outcome.DISPATCHED},
                            actor, now))
    with services.db.transaction() as session:
        for ticket_id, result in routed.items():
            store_proposal(session, ticket_id, result.proposal, now=now, outcome=result.outcome,
                           reason=result.reason)
        assign_ids(session)
    return routed


def decide(services, proposal: Proposal) -> tuple[Outcome, str]:
    """Whether routing may send the ticket on by itself, and why (or why a dispatcher must look)."""
    if proposal.department is None or proposal.needs_triage:
        return Outcome.TRIAGE, proposal.reason
    if not router_of(services).auto_dispatch:
        return Outcome.TRIAGE, f"{proposal.reason}；本市设置为全部人工确认"
    return Outcome.DISPATCHED, proposal.reason


def _dispatch(services, chosen: dict[int, Routed], actor: Actor, now: datetime) -> dict[int, Routed]:
    """Dispatch the tickets routing is sure of, in one transaction; what became of each."""
    if not chosen:
        return {}
    codes = {r.proposal.department.code for r in chosen.values()}
    with services.db.reading() as session:
        active = dict(session.execute(select(Department.code, Department.id).where(
            Department.code.in_(codes), Department.active.is_(True))).all())
    outcomes: dict[int, Routed] = {}
    orders = []
    for ticket_id, routed in chosen.items():
        proposal = routed.proposal
        department_id = active.get(proposal.department.code)
        if department_id is None:
            outcomes[ticket_id] = Routed(proposal, Outcome.TRIAGE, inactive_reason(proposal))
            continue
        orders.append(DispatchOrder(ticket_id, department_id, dispatch_note(proposal, routed.reason),
                                    proposal.service.code if proposal.service else None))
    for ticket_id, result in dispatch_tickets(services.ledger, orders, actor=actor, now=now).items():
        proposal = chosen[ticket_id].proposal
        if isinstance(result, (TransitionError, NotFound)):
            outcomes[ticket_id] = Routed(proposal, Outcome.RECORDED, "工单已由工作人员处理，建议仅作记录")
        elif isinstance(result, InvalidInput):
            outcomes[ticket_id] = Routed(proposal, Outcome.TRIAGE, f"{result.message}，需人工分派")
        elif isinstance(result, Exception):
            raise result
    return outcomes


def inactive_reason(proposal: Proposal) -> str:
    return f"承办单位“{proposal.department.name}”未在系统中启用，需人工分派"


def dispatch_note(proposal: Proposal, reason: str) -> str:
    """The note of the 派单 event routing writes: why, and which model version said so."""
    note = f"{ROUTER_NAME}：{reason}"
    return note + f"（模型 {proposal.model_version}）" if proposal.model_version else note


def raise_priority(ledger: Ledger, ticket_id: int, priority: str, *, actor: Actor, now: datetime,
                   reason: str) -> Ticket:
    """Raise a ticket's urgency (never lower it) before it is dispatched, with a note in its timeline.

    Raises:
        NotFound: no such ticket (or one the actor may not see).
    """
    with ledger.db.transaction() as session:
        ticket = load_ticket(session, ticket_id, actor)
        wanted = higher_priority(ticket.priority, priority)
        if wanted is not None:
            before = Priority(ticket.priority)
            ticket.priority = Priority(wanted)
            note, data = urgency_note(before, Priority(wanted), reason)
            record(session, ticket, "add_note", actor, now, note=note, **data)
    return ticket


def store_proposal(session: Session, ticket_id: int, proposal: Proposal, *, now: datetime,
                   outcome: Outcome, reason: str | None = None) -> TicketProposal:
    """Keep a proposal for a ticket, in the caller's transaction."""
    row = TicketProposal(**proposal_fields(ticket_id, proposal, now=now, outcome=outcome, reason=reason))
    session.add(row)
    return row


def proposal_fields(ticket_id: int, proposal: Proposal, *, now: datetime, outcome: Outcome,
                    reason: str | None = None) -> dict:
    """The columns of a proposal's row (``store_proposal``'s, and intake routing's bulk insert)."""
    return dict(
        ticket_id=ticket_id, made_at=now, model_name=proposal.model_name, model_version=proposal.model_version,
        label=proposal.label, confidence=round(proposal.confidence, 6),
        department_code=proposal.department.code if proposal.department else None,
        service_code=proposal.service.code if proposal.service else None,
        district=proposal.district.name if proposal.district else None, rule=proposal.rule,
        priority=proposal.priority, alternatives=[c.as_json() for c in proposal.alternatives],
        top_terms=list(proposal.top_terms), needs_triage=proposal.needs_triage,
        reason=(reason or proposal.reason)[:1000], outcome=outcome)

