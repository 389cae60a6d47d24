"""Routing what intake registers before it is written, so its tickets are stored already sent on.

Routing a registered ticket afterwards, by the ``dispatch.route_ticket`` job,
cost more than registering it: a job row, a queue message, a claim, a read, an
update of the ticket and two more transactions (docs/benchmarks.md).
:class:`IntakeRouter` (``services.intake_routing``) instead proposes for the
tickets being registered, the API's whole group (``tracking.group_commit``)
or one channel message (``channels.intake.receive``), before their
transaction (the model is loaded when a serving process starts), then, inside
it, writes each ticket dispatched by "智能分派" or leaves it for triage, with
its proposal row, exactly as the job would have (a rule's higher urgency
first, as its own note in the timeline). If proposing fails, the tickets keep
their jobs: routing never stands between a citizen and their ticket number.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Outcome, TicketProposal
from dispatch.router import router_of
from dispatch.routing import ROUTER_NAME, decide, dispatch_note, inactive_reason, proposal_fields
from dispatch.rules import higher_priority
from dispatch.service import Proposal, propose_many
from dispatch.tasks import ROUTE_TASK
from hotline.bulk import insert_rows
from tracking.accounts import Department
from tracking.actions import Actor
from tracking.actions.intake_dispatch import IntakeRoute
from tracking.actions.ticket_rows import Checked
from tracking.models import Ticket
from tracking.states import Priority


ACTIVE_DEPARTMENTS_KEPT = timedelta(seconds=10)  # how long a process routes by the active departments it read


@dataclass(frozen=True)
class Plan:
    """What routing decided for one ticket before it was written."""

    proposal: Proposal
    outcome: Outcome
    reason: str
    raise_to: str | None  # the urgency a rule raises the ticket to, when higher than it came with


class IntakeRouter:
    """``tracking.actions.intake_dispatch.IntakeRouting`` for the routing job's work."""

    task = ROUTE_TASK

    def __init__(self, services):
        self.services = services
        self.actor = Actor.system(ROUTER_NAME)
        self._departments: tuple[datetime | None, dict[str, tuple[int, str]]] = (None, {})

    def warm(self) -> None:
        """Load (and check) the model in use now, as a serving process starts."""
        router_of(self.services).model()

    def plan(self, items: Sequence[Checked]) -> list[Plan | None]:
        proposals = propose_many(self.services, [
            (f"{item.title}\n{item.content}", (item.new.address or "").strip()[:300], item.new.service_code,
             item.new.district) for item in items])
        return [Plan(proposal, *decide(self.services, proposal), higher_priority(item.new.priority, proposal.priority))
                for item, proposal in zip(items, proposals)]

    def orders(self, session: Session, plans: Sequence[Plan | None], now: datetime) -> list[IntakeRoute | None]:
        sending = [p is not None and p.outcome is Outcome.DISPATCHED for p in plans]
        codes = {p.proposal.department.code for p, sends in zip(plans, sending) if sends}
        known = self._active_departments(session, now) if codes else {}
        # New objects each time, in no session: they only name the department on the ticket and its answer.
        active = {code: Department(id=known[code][0], code=code, name=known[code][1], active=True)
                  for code in codes if code in known}
        routes: list[IntakeRoute | None] = []
        for plan, sends in zip(plans, sending):
            department = active.get(plan.proposal.department.code) if sends else None
            if department is None and (plan is None or plan.raise_to is None):
                routes.append(None)
                continue
            proposal = plan.proposal
            raised = dict(priority=Priority(plan.raise_to), priority_reason=f"分派规则“{proposal.rule}”") \
                if plan.raise_to else {}
            sent = dict(department=department, note=dispatch_note(proposal, plan.reason),
                        service_code=proposal.service.code if proposal.service else None) if department else {}
            routes.append(IntakeRoute(self.actor, **raised, **sent))
        return routes

    def _active_departments(self, session: Session, now: datetime) -> dict[str, tuple[int, str]]:
        """The active departments' ids and names by code, read again once ``ACTIVE_DEPARTMENTS_KEPT`` has passed.

        Each group had read its departments with a query of its own, a tenth of a
        web process's CPU at intake's peak. Departments change only when the city
        loads its catalogue again (``hotline catalogue load``); a department
        deactivated then may still be sent tickets by intake for that long, which
        a dispatcher then moves on (改派) as from any department.
        """
        read_at, departments = self._departments
        if read_at is None or not read_at <= now < read_at + ACTIVE_DEPARTMENTS_KEPT:
            departments = {code: (id_, name) for id_, code, name in session.execute(
                select(Department.id, Department.code, Department.name).where(Department.active.is_(True)))}
            self._departments = (now, departments)
        return departments

    def keep(self, session: Session, tickets: Sequence[Ticket], plans: Sequence[Plan | None],
             routes: Sequence[IntakeRoute | None]) -> None:
        rows = []
        for ticket, plan, route in zip(tickets, plans, routes):
            if plan is None:
                continue
            outcome, reason = plan.outcome, plan.reason
            if outcome is Outcome.DISPATCHED and (route is None or route.department is None):
                outcome, reason = Outcome.TRIAGE, inactive_reason(plan.proposal)
            rows.append(proposal_fields(ticket.id, plan.proposal, now=ticket.registered_at, outcome=outcome,
                                        reason=reason))
        insert_rows(session, TicketProposal.__table__, rows)
