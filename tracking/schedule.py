"""The clock of a ticket's current step, kept on the ticket so lights and the sweep are queries.

An open ticket waits for one thing at a time: the department to sign in (签收),
the department to reply (答复), or the hotline to call the citizen back (回访).
:func:`refresh_schedule` copies that step's deadline and the moment its light
turns yellow onto the ticket (``step``, ``step_due_at``, ``step_yellow_at``)
and says when the deadline sweep must look at it next (``next_alert_at``).
``tracking.actions._core.record`` calls it after every action, so no action
can move a ticket and forget its clock.

``alerted_light`` remembers the last light a reminder was sent for on this
step and deadline; a new step or a moved deadline (an extension granted)
clears it, so each threshold is reminded of exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tracking.deadlines import Light, yellow_from
from tracking.models import Ticket
from tracking.states import Status

# The light turns red the first moment after the deadline (at the deadline
# itself the ticket is still in time), which is the deadline plus this.
RED_AFTER = timedelta(microseconds=1)
LIGHT_RANK = {None: 0, Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}


class Step(StrEnum):
    SIGN_IN = "sign_in"    # 签收: the department's, from dispatch
    REPLY = "reply"        # 答复: the department's, from dispatch
    CALLBACK = "callback"  # 回访: the hotline's, from the reply


STEP_LABELS = {Step.SIGN_IN: "签收", Step.REPLY: "答复", Step.CALLBACK: "回访"}
DEPARTMENT_STEPS = frozenset({Step.SIGN_IN, Step.REPLY})
LIGHT_LABELS = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}


@dataclass(frozen=True)
class StepClock:
    step: Step
    started_at: datetime
    due_at: datetime


def step_clock(ticket: Ticket) -> StepClock | None:
    """The step the ticket waits for and its deadline, or None when no deadline runs.

    Registered and returned tickets wait for the hotline to dispatch them and
    called-back ones for 办结 or 重办: no department step runs then.
    """
    status = Status(ticket.status) if ticket.status else None
    if status is Status.DISPATCHED:
        step, started, due = Step.SIGN_IN, ticket.dispatched_at, ticket.sign_in_due_at
    elif status in (Status.ACCEPTED, Status.IN_PROGRESS):
        step, started, due = Step.REPLY, ticket.dispatched_at, ticket.reply_due_at
    elif status is Status.REPLIED:
        step, started, due = Step.CALLBACK, ticket.replied_at, ticket.callback_due_at
    else:
        return None
    if due is None:
        return None
    return StepClock(step, started or due, due)


def refresh_schedule(ticket: Ticket) -> None:
    """Bring the ticket's step columns in line with its status and deadlines."""
    clock = step_clock(ticket)
    if clock is None:
        ticket.step = ticket.step_due_at = ticket.step_yellow_at = None
        ticket.alerted_light = ticket.next_alert_at = None
        return
    if ticket.step != clock.step.value or ticket.step_due_at is None or ticket.step_due_at != clock.due_at:
        ticket.alerted_light = None  # a new step or a new deadline: its thresholds are new too
    ticket.step = clock.step.value
    ticket.step_due_at = clock.due_at
    ticket.step_yellow_at = yellow_from(clock.due_at, clock.started_at)
    ticket.next_alert_at = next_threshold(ticket)


def next_threshold(ticket: Ticket) -> datetime | None:
    """When the ticket's light next passes a threshold not yet reminded of, if ever."""
    rank = LIGHT_RANK[Light(ticket.alerted_light) if ticket.alerted_light else None]
    if ticket.step_due_at is None or rank >= LIGHT_RANK[Light.RED]:
        return None
    if rank < LIGHT_RANK[Light.YELLOW] and ticket.step_yellow_at is not None:
        return ticket.step_yellow_at
    return ticket.step_due_at + RED_AFTER


def light_of(ticket: Ticket, now: datetime) -> Light | None:
    """The ticket's light now, from its step columns; None when no step runs."""
    if ticket.step_due_at is None:
        return None
    if now > ticket.step_due_at:
        return Light.RED
    if ticket.step_yellow_at is not None and now >= ticket.step_yellow_at:
        return Light.YELLOW
    return Light.GREEN
