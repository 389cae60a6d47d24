"""How a ticket's light reads on a page: the colour, the step, the deadline and the time left.

Computed from the step columns (``tracking.schedule``) and the ``now`` the
handler read once, so every row of a queue is judged at the same moment.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case
from sqlalchemy.sql.elements import ColumnElement

from tracking.deadlines import Light
from tracking.models import Ticket
from tracking.schedule import LIGHT_LABELS, STEP_LABELS, Step, light_of


@dataclass(frozen=True)
class LightView:
    light: Light
    label: str        # 红灯, 黄灯, 绿灯
    step_label: str   # 签收, 答复, 回访
    due_at: datetime
    left: str         # "剩2小时15分" or "超时1天3小时"

    @property
    def css(self) -> str:
        return self.light.value


def light_view(ticket: Ticket, now: datetime) -> LightView | None:
    """The light of the ticket's current step at ``now``, or None when no step runs."""
    light = light_of(ticket, now)
    if light is None:
        return None
    due = ticket.step_due_at
    left = f"超时{span_text(now - due)}" if light is Light.RED else f"剩{span_text(due - now)}"
    return LightView(light, LIGHT_LABELS[light], STEP_LABELS[Step(ticket.step)], due, left)


def span_text(span: timedelta) -> str:
    """A duration as staff say it: 2天3小时, 5小时20分, 12分钟 (the two largest units)."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分钟"


def light_sql(now: datetime) -> ColumnElement:
    """The light as a SQL expression (NULL when no step runs), for counting and filtering."""
    return case(
        (Ticket.step_due_at.is_(None), None),
        (Ticket.step_due_at < now, Light.RED.value),
        (and_(Ticket.step_yellow_at.is_not(None), Ticket.step_yellow_at <= now), Light.YELLOW.value),
        else_=Light.GREEN.value)


def light_condition(light: Light, now: datetime) -> ColumnElement:
    """A WHERE condition for tickets showing ``light`` at ``now`` (index-friendly for red)."""
    if light is Light.RED:
        return Ticket.step_due_at < now
    if light is Light.YELLOW:
        return and_(Ticket.step_due_at >= now, Ticket.step_yellow_at <= now)
    return Ticket.step_yellow_at > now
