"""Walking one demo ticket through a plausible life, through the real actions, at past times.

Each step happens only if its time has come (before ``until``), so recent
tickets stay open at the step they have reached, with the lights that follow.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracking import actions as act
from tracking.actions import Actor
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.states import Satisfaction

RETURN_SHARE = 0.07       # dispatched first to the wrong department, which returns it
EXTENSION_SHARE = 0.10
LATE_SIGN_IN_SHARE = 0.12
LATE_REPLY_SHARE = 0.15
SATISFACTION_WEIGHTS = {Satisfaction.SATISFIED: 0.66, Satisfaction.BASICALLY: 0.2, Satisfaction.UNSATISFIED: 0.14}


@dataclass
class Cast:
    agents: list[Actor]
    supervisor: Actor
    staff: dict[int, Actor]      # department id -> its demo account
    departments: dict[str, int]  # department code -> id


class Walk:
    """Runs the steps of one ticket, stopping quietly at the first one still in the future."""

    def __init__(self, ledger: Ledger, ticket: Ticket, cast: Cast, rng: random.Random, until: datetime):
        self.ledger, self.ticket, self.cast, self.rng, self.until = ledger, ticket, cast, rng, until
        self.t = ticket.registered_at

    def at(self, delay: timedelta) -> datetime | None:
        self.t = self.t + delay
        return self.t if self.t <= self.until else None

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def run(self, department_code: str, reply: str, answerable: bool) -> None:
        rng, agent = self.rng, self.rng.choice(self.cast.agents)
        ticket_id = self.ticket.id
        if answerable and rng.random() < 0.75:
            if now := self.at(self.minutes(3, 8)):
                act.answer_directly(self.ledger, ticket_id, actor=agent, now=now,
                                    answer=reply or "已向来电人解答相关政策和办理流程。")
            return
        right = self.cast.departments[department_code]
        first = right
        if rng.random() < RETURN_SHARE:
            first = rng.choice([d for d in self.cast.departments.values() if d != right])
        if not (now := self.at(self.minutes(3, 40))):
            return
        ticket = act.dispatch_ticket(self.ledger, ticket_id, first, actor=agent, now=now)
        if first != right:
            if not (now := self.at(self.minutes(30, 240))):
                return
            act.return_ticket(self.ledger, ticket_id, actor=self.cast.staff[first], now=now,
                              reason="经核实该事项不属于本单位职责范围，请改派相关部门。")
            if not (now := self.at(self.minutes(10, 90))):
                return
            ticket = act.reassign_ticket(self.ledger, ticket_id, right, actor=agent, now=now)
        self.handle(ticket, right, reply, agent)

    def handle(self, ticket: Ticket, department_id: int, reply: str, agent: Actor, round_: int = 1) -> None:
        rng, staff = self.rng, self.cast.staff[department_id]
        sign_in_window = max((ticket.sign_in_due_at - self.t).total_seconds() / 60, 10)
        delay = self.minutes(sign_in_window + 30, sign_in_window + 900) if rng.random() < LATE_SIGN_IN_SHARE \
            else self.minutes(5, sign_in_window * 0.9)
        if not (now := self.at(delay)):
            return
        ticket = act.accept_ticket(self.ledger, ticket.id, actor=staff, now=now)
        if rng.random() < 0.5 and (now := self.at(self.minutes(20, 300))):
            act.start_work(self.ledger, ticket.id, actor=staff, now=now, note="已安排人员现场核查。")
        elif self.t > self.until:
            return
        if rng.random() < EXTENSION_SHARE:
            if not (now := self.at(self.minutes(60, 1440))):
                return
            act.request_extension(self.ledger, ticket.id, actor=staff, now=now, working_days=rng.choice([3, 5, 10]),
                                  reason="涉及多个部门协调，需延长办理时限。")
            if not (now := self.at(self.minutes(60, 600))):
                return
            if rng.random() < 0.7:
                ticket = act.grant_extension(self.ledger, ticket.id, actor=self.cast.supervisor, now=now)
            else:
                ticket = act.refuse_extension(self.ledger, ticket.id, actor=self.cast.supervisor, now=now,
                                              reason="该事项可在原时限内办结。")
        remaining = max((ticket.reply_due_at - self.t).total_seconds() / 60, 30)
        delay = self.minutes(remaining + 60, remaining + 4000) if rng.random() < LATE_REPLY_SHARE \
            else self.minutes(remaining * 0.1, remaining * 0.9)
        if not (now := self.at(delay)):
            return
        act.reply_ticket(self.ledger, ticket.id, actor=staff, now=now,
                         reply=reply or "经核实，已安排专人处理，问题已解决，感谢您的监督。")
        self.callback(ticket, department_id, reply, agent, round_)

    def callback(self, ticket: Ticket, department_id: int, reply: str, agent: Actor, round_: int) -> None:
        if not (now := self.at(self.minutes(120, 2600))):
            return
        weights = SATISFACTION_WEIGHTS if round_ == 1 else {Satisfaction.SATISFIED: 0.6, Satisfaction.BASICALLY: 0.4}
        satisfaction = self.rng.choices(list(weights), list(weights.values()))[0]
        act.record_callback(self.ledger, ticket.id, actor=agent, now=now, satisfaction=satisfaction,
                            resolved=satisfaction is not Satisfaction.UNSATISFIED or self.rng.random() < 0.2,
                            note="电话回访")
        if satisfaction is Satisfaction.UNSATISFIED and self.rng.random() < 0.6:
            if now := self.at(self.minutes(5, 60)):
                ticket = act.reopen_ticket(self.ledger, ticket.id, actor=agent, now=now, reason="市民反映问题仍未解决")
                self.handle(ticket, department_id, reply, agent, round_ + 1)
            return
        if now := self.at(self.minutes(1, 30)):
            act.close_ticket(self.ledger, ticket.id, actor=agent, now=now)
