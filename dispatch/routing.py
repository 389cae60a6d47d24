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
from dispatch.service import Proposal, propose
from tracking.accounts import Department
from tracking.actions import Actor, InvalidInput, NotFound, TransitionError, dispatch_ticket
from tracking.actions._core import load_ticket, record
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.states import PRIORITY_LABELS, Priority, Status

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
    with services.db.reading() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or ticket.status != Status.REGISTERED or ticket.merged_into_id is not None:
            return None
        text, address, priority = f"{ticket.title}\n{ticket.content}", ticket.address, ticket.priority
        service_code, district = ticket.service_code, ticket.district
    proposal = propose(services, text, address, service_code=service_code, district=district)
    actor = Actor.system(ROUTER_NAME)
    if higher_priority(priority, proposal.priority):
        raise_priority(services.ledger, ticket_id, proposal.priority, actor=actor, now=now,
                       reason=f"分派规则“{proposal.rule}”")
    outcome, reason = _decide(services, proposal)
    if outcome is Outcome.DISPATCHED:
        outcome, reason = _dispatch(services, ticket_id, proposal, actor, now, reason)
    with services.db.transaction() as session:
        store_proposal(session, ticket_id, proposal, now=now, outcome=outcome, reason=reason)
    return Routed(proposal, outcome, reason)


def _decide(services, proposal: Proposal) -> tuple[Outcome, str]:
    if proposal.department is None or proposal.needs_triage:
        return Outcome.TRIAGE, proposal.reason
    if not router_of(services).auto_dispatch:
        return Outcome.TRIAGE, f"{proposal.reason}；本市设置为全部人工确认"
    return Outcome.DISPATCHED, proposal.reason


def _dispatch(services, ticket_id: int, proposal: Proposal, actor: Actor, now: datetime,
              reason: str) -> tuple[Outcome, str]:
    with services.db.reading() as session:
        department_id = session.scalar(select(Department.id).where(
            Department.code == proposal.department.code, Department.active.is_(True)))
    if department_id is None:
        return Outcome.TRIAGE, f"承办单位“{proposal.department.name}”未在系统中启用，需人工分派"
    note = f"{ROUTER_NAME}：{reason}"
    if proposal.model_version:
        note += f"（模型 {proposal.model_version}）"
    try:
        dispatch_ticket(services.ledger, ticket_id, department_id, actor=actor, now=now, note=note,
                        service_code=proposal.service.code if proposal.service else None)
    except (TransitionError, NotFound):
        return Outcome.RECORDED, "工单已由工作人员处理，建议仅作记录"
    except InvalidInput as exc:
        return Outcome.TRIAGE, f"{exc.message}，需人工分派"
    return Outcome.DISPATCHED, reason


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
            record(session, ticket, "add_note", actor, now,
                   note=f"{reason}：紧急程度 {PRIORITY_LABELS[before]} → {PRIORITY_LABELS[Priority(wanted)]}",
                   priority_from=before.value, priority_to=wanted)
    return ticket


def store_proposal(session: Session, ticket_id: int, proposal: Proposal, *, now: datetime,
                   outcome: Outcome, reason: str | None = None) -> TicketProposal:
    """Keep a proposal for a ticket, in the caller's transaction."""
    row = TicketProposal(
        ticket_id=ticket_id, made_at=now, model_name=proposal.model_name, model_version=proposal.model_version,
        label=proposal.label, confidence=round(proposal.confidence, 6),
        department_code=proposal.department.code if proposal.department else None,
        service_code=proposal.service.code if proposal.service else None,
        district=proposal.district.name if proposal.district else None, rule=proposal.rule,
        priority=proposal.priority, alternatives=[c.as_json() for c in proposal.alternatives],
        top_terms=list(proposal.top_terms), needs_triage=proposal.needs_triage,
        reason=(reason or proposal.reason)[:1000], outcome=outcome)
    session.add(row)
    return row

