"""A ticket's timeline for staff: every step with who, when, and against which deadline.

Built from the event log (each event keeps the deadlines it set or was held
to in its ``data``) and the ticket's own deadlines, at the ``now`` the handler
read, so a page shows whether each step was on time and how the current one
stands. Staff names are shown here; the citizen's public lookup (intake) is
a different view that leaves them out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tracking.deadlines import Light
from tracking.lights import LightView, light_view, span_text
from tracking.models import Ticket, TicketEvent
from tracking.schedule import LIGHT_LABELS, Step
from tracking.states import ROLE_LABELS, SATISFACTION_LABELS, STATUS_LABELS, TRANSITIONS, Satisfaction, Status

ACTION_LABELS = {"register": "受理登记", **{name: t.label for name, t in TRANSITIONS.items()}}
DUE_LABELS = {"accept": "签收时限", "reply": "答复时限", "record_callback": "回访时限",
              "remind": "时限", "escalate": "时限"}


@dataclass(frozen=True)
class Verdict:
    text: str  # 按时 / 超时2小时
    css: str   # green or red


@dataclass
class Entry:
    event: TicketEvent
    label: str
    actor: str
    status_change: str | None
    due_label: str | None = None
    due_at: datetime | None = None
    verdict: Verdict | None = None
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StepRow:
    label: str
    due_at: datetime | None
    done_at: datetime | None
    verdict: Verdict | None    # for a finished step
    light: LightView | None    # for the step running now


def verdict(done_at: datetime, due_at: datetime | None) -> Verdict | None:
    if due_at is None:
        return None
    if done_at <= due_at:
        return Verdict("按时", Light.GREEN.value)
    return Verdict(f"超时{span_text(done_at - due_at)}", Light.RED.value)


def steps(ticket: Ticket, now: datetime) -> list[StepRow]:
    """The three deadlines the ticket owes (签收, 答复, 回访) and how each stands."""
    running = light_view(ticket, now)
    rows = []
    for step, label, due, done in [(Step.SIGN_IN, "签收", ticket.sign_in_due_at, ticket.accepted_at),
                                   (Step.REPLY, "答复", ticket.reply_due_at, ticket.replied_at),
                                   (Step.CALLBACK, "回访", ticket.callback_due_at, ticket.called_back_at)]:
        current = running if ticket.step == step.value else None
        rows.append(StepRow(label, due, done, verdict(done, due) if done and not current else None, current))
    return rows


def entries(ticket: Ticket, tz) -> list[Entry]:
    """Every event of the ticket, oldest first, with the deadline it met or missed."""
    return [_entry(event, tz) for event in ticket.events]


def _entry(event: TicketEvent, tz) -> Entry:
    data = event.data or {}
    role = ROLE_LABELS.get(event.actor_role, event.actor_role)
    change = None
    if event.from_status and event.to_status != event.from_status:
        change = f"{STATUS_LABELS[Status(event.from_status)]} → {STATUS_LABELS[Status(event.to_status)]}"
    entry = Entry(event, ACTION_LABELS.get(event.action, event.action), f"{event.actor_name}（{role}）", change)
    due = _time(data.get("due"))
    if due is not None and event.action in DUE_LABELS:
        entry.due_label, entry.due_at = DUE_LABELS[event.action], due
        if event.action in ("accept", "reply", "record_callback"):
            entry.verdict = verdict(event.at, due)
    entry.details.extend(_details(event, data, tz))
    return entry


def _details(event: TicketEvent, data: dict, tz) -> list[str]:
    lines = []
    if data.get("sign_in_due") or data.get("reply_due"):
        lines.append(f"签收时限 {_fmt(_time(data.get('sign_in_due')), tz)}，答复时限 {_fmt(_time(data.get('reply_due')), tz)}")
    if event.action in ("dispatch", "reassign") and data.get("department_code"):
        moved = f"{data['from_department']} → " if data.get("from_department") else ""
        lines.append(f"承办单位：{moved}{data['department_code']}")
    if event.action in ("request_extension", "refuse_extension") and data.get("working_days"):
        lines.append(f"延期 {data['working_days']} 个工作日")
    if event.action == "grant_extension":
        lines.append(f"延期 {data.get('working_days')} 个工作日：答复时限 {_fmt(_time(data.get('previous_due')), tz)}"
                     f" → {_fmt(_time(data.get('new_due')), tz)}")
    if event.action == "remind" and data.get("light") in set(Light):
        lines.append(f"{LIGHT_LABELS[Light(data['light'])]}{'（系统自动）' if data.get('automatic') else ''}")
    if event.action == "record_callback" and data.get("satisfaction") in set(Satisfaction):
        method = "短信评议" if data.get("method") == "sms" else "电话回访"
        solved = "已解决" if data.get("resolved") else "未解决"
        lines.append(f"{method}：{SATISFACTION_LABELS[Satisfaction(data['satisfaction'])]}，{solved}")
    if event.action == "return" and data.get("return_count"):
        lines.append(f"第 {data['return_count']} 次退单")
    if event.action == "reopen" and data.get("reopen_count"):
        lines.append(f"第 {data['reopen_count']} 次重办")
    return lines


def _time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _fmt(moment: datetime | None, tz) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"
