"""The texts (SMS) that go with 催办: one digest per department, never a flood.

A department's duty phone gets at most one reminder text per interval
(``HOTLINE_REMINDER_TEXT_INTERVAL_MINUTES``, 30 by default): a sweep that finds
forty of its tickets turning yellow at the close of office sends one text,
not forty, and a busy department is not texted every minute. Nothing is lost
by waiting: each text states the department's whole situation at that moment
(how many tickets are overdue and how many nearly so), and the in-app
notifications list every ticket. Urgent and emergency tickets, and a
supervisor's reminder by hand, are texted at once whatever the interval.
Outside office hours a text waits for the next working moment, unless a
ticket is urgent or its deadline would pass before then.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.jobs import enqueue
from tracking.accounts import Department
from tracking.deadlines import YELLOW_BEFORE_DUE, Light
from tracking.ledger import Ledger
from tracking.lights import light_condition
from tracking.models import Ticket
from tracking.schedule import DEPARTMENT_STEPS, STEP_LABELS, Step

DEFAULT_TEXT_INTERVAL = timedelta(minutes=30)
LISTED_NUMBERS = 3  # ticket numbers quoted in a digest; the rest are counted
DEPARTMENT_STEP_NAMES = tuple(step.value for step in DEPARTMENT_STEPS)
STATE_WORDS = {Light.GREEN: "尚在时限内", Light.YELLOW: "即将超时", Light.RED: "已超时"}


@dataclass(frozen=True)
class Reminder:
    """One reminder written, as the texts need it."""

    ticket_id: int
    number: str
    department_id: int | None  # None: the step is the hotline's own (the callback)
    step: Step
    light: Light
    due_at: datetime
    urgent: bool  # urgent or emergency priority: texted at once, day or night
    escalated: bool = False  # handed to the supervision office (督办) with this reminder


def text_departments(session: Session, ledger: Ledger, reminders: Iterable[Reminder], now: datetime, *,
                     interval: timedelta = DEFAULT_TEXT_INTERVAL, force: bool = False) -> int:
    """Enqueue ``sms.send`` for the departments reminded, as the module docstring says.

    Args:
        reminders: the reminders just written, in the caller's transaction.
        interval: the least time between two texts to one department.
        force: text whatever the interval (a supervisor's reminder by hand).

    Returns:
        How many texts were enqueued.
    """
    by_department: dict[int, list[Reminder]] = {}
    for reminder in reminders:
        if reminder.department_id is not None:
            by_department.setdefault(reminder.department_id, []).append(reminder)
    if not by_department:
        return 0
    departments = [d for d in session.scalars(select(Department).where(
        Department.id.in_(by_department), Department.contact_phone.is_not(None)).order_by(Department.id))
        if (d.contact_phone or "").strip() and (
            force or d.reminder_texted_at is None or d.reminder_texted_at <= now - interval
            or any(r.urgent for r in by_department[d.id]))]
    if not departments:
        return 0
    counts = _lights_owed(session, [d.id for d in departments], now)
    opens = ledger.calendar.next_working_moment(now)
    for department in departments:
        items = by_department[department.id]
        red, yellow = counts.get(department.id, (0, 0))
        send_now = opens <= now or any(r.urgent or r.due_at < opens for r in items)
        single = len(items) == 1 and red + yellow <= 1
        enqueue(session, "sms.send", now=now, delay=timedelta(0) if send_now else opens - now,
                ticket_id=items[0].ticket_id if single else None, to=department.contact_phone.strip(),
                purpose="reminder", body=_one(ledger, items[0]) if single else _digest(items, red, yellow))
        department.reminder_texted_at = now
    return len(departments)


def _lights_owed(session: Session, department_ids: list[int], now: datetime) -> dict[int, tuple[int, int]]:
    """Red and yellow tickets each department owes, read from ``ix_tickets_department_step_due`` alone.

    Only tickets due by ``now`` plus a day can be red or yellow (the warning
    is never longer than ``YELLOW_BEFORE_DUE``), which bounds the index range.
    """
    rows = session.execute(select(
        Ticket.department_id, func.count(case((light_condition(Light.RED, now), 1))),
        func.count(case((light_condition(Light.YELLOW, now), 1))),
    ).where(Ticket.department_id.in_(department_ids), Ticket.step_due_at.is_not(None),
            Ticket.step_due_at <= now + YELLOW_BEFORE_DUE, Ticket.step.in_(DEPARTMENT_STEP_NAMES))
      .group_by(Ticket.department_id))
    return {department_id: (red, yellow) for department_id, red, yellow in rows}


def _one(ledger: Ledger, reminder: Reminder) -> str:
    return (f"【12345热线】催办：工单{reminder.number}{STEP_LABELS[reminder.step]}{STATE_WORDS[reminder.light]}"
            f"（时限{local_time(ledger, reminder.due_at)}），请及时登录承办单位工作台办理。")


def _digest(items: list[Reminder], red: int, yellow: int) -> str:
    newest = "、".join(r.number for r in items[:LISTED_NUMBERS])
    more = "等" if len(items) > LISTED_NUMBERS else ""
    return (f"【12345热线】催办：贵单位现有已超时工单{red}件、即将超时工单{yellow}件（新增如{newest}{more}），"
            f"请及时登录承办单位工作台办理。")


def local_time(ledger: Ledger, moment: datetime) -> str:
    """A deadline as a text shows it: 11月23日11:00 in the city's time zone."""
    return moment.astimezone(ledger.tz).strftime("%m月%d日%H:%M")
