"""Running an action by name with its arguments from a form or JSON body.

The API and the ticket page both post ``{action, ...fields}``; this table says
which function each name runs and which fields it reads, so neither handler
knows the actions one by one.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tracking import actions as act
from tracking.accounts import Department
from tracking.actions import Actor, InvalidInput
from tracking.actions._core import can_see
from tracking.ledger import Ledger
from tracking.models import Ticket
from tracking.states import Satisfaction


def _department_id(ledger: Ledger, fields: Mapping[str, Any]) -> int:
    code = str(fields.get("department") or "").strip()
    if not code:
        raise InvalidInput("请选择承办单位")
    with ledger.db.reading() as session:
        department_id = session.scalar(select(Department.id).where(Department.code == code))
    if department_id is None:
        raise InvalidInput(f"承办单位 {code} 不存在")
    return department_id


def _ticket_id(ledger: Ledger, number: str) -> int:
    with ledger.db.reading() as session:
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == str(number or "").strip()))
    if ticket_id is None:
        raise act.NotFound("工单不存在或无权查看")
    return ticket_id


def _int(fields: Mapping[str, Any], name: str, what: str) -> int:
    try:
        return int(str(fields.get(name, "")).strip())
    except ValueError:
        raise InvalidInput(f"{what}须为整数") from None


def _satisfaction(fields: Mapping[str, Any]) -> Satisfaction:
    try:
        return Satisfaction(str(fields.get("satisfaction", "")))
    except ValueError:
        raise InvalidInput("满意度须为 satisfied、basically_satisfied 或 unsatisfied") from None


def _outcome(fields: Mapping[str, Any]) -> act.Outcome:
    try:
        return act.Outcome(str(fields.get("outcome", "")))
    except ValueError:
        raise InvalidInput("回访后处理须为 close、reopen 或 hold") from None


def _bool(fields: Mapping[str, Any], name: str) -> bool:
    value = fields.get(name)
    return value is True or str(value).lower() in {"1", "true", "yes", "on", "是"}


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name, "")
    return value if isinstance(value, str) else str(value)


Command = Callable[[Ledger, int, Actor, datetime, Mapping[str, Any]], Ticket]

COMMANDS: dict[str, Command] = {
    "dispatch": lambda l, t, a, n, f: act.dispatch_ticket(
        l, t, _department_id(l, f), actor=a, now=n, note=_text(f, "note")),
    "reassign": lambda l, t, a, n, f: act.reassign_ticket(
        l, t, _department_id(l, f), actor=a, now=n, note=_text(f, "note")),
    "answer_directly": lambda l, t, a, n, f: act.answer_directly(
        l, t, actor=a, now=n, answer=_text(f, "answer"),
        article_id=_int(f, "article_id", "知识库条目") if f.get("article_id") else None),
    "merge": lambda l, t, a, n, f: act.merge_ticket(
        l, t, _ticket_id(l, _text(f, "into")), actor=a, now=n, note=_text(f, "note")),
    "accept": lambda l, t, a, n, f: act.accept_ticket(l, t, actor=a, now=n),
    "start_work": lambda l, t, a, n, f: act.start_work(l, t, actor=a, now=n, note=_text(f, "note")),
    "return": lambda l, t, a, n, f: act.return_ticket(l, t, actor=a, now=n, reason=_text(f, "reason")),
    "request_extension": lambda l, t, a, n, f: act.request_extension(
        l, t, actor=a, now=n, working_days=_int(f, "working_days", "延期天数"), reason=_text(f, "reason")),
    "grant_extension": lambda l, t, a, n, f: act.grant_extension(l, t, actor=a, now=n, note=_text(f, "note")),
    "refuse_extension": lambda l, t, a, n, f: act.refuse_extension(
        l, t, actor=a, now=n, reason=_text(f, "reason")),
    "reply": lambda l, t, a, n, f: act.reply_ticket(l, t, actor=a, now=n, reply=_text(f, "reply")),
    "record_callback": lambda l, t, a, n, f: act.record_callback(
        l, t, actor=a, now=n, satisfaction=_satisfaction(f), resolved=_bool(f, "resolved"),
        note=_text(f, "note")),
    "finish_callback": lambda l, t, a, n, f: act.finish_callback(
        l, t, actor=a, now=n, satisfaction=_satisfaction(f), resolved=_bool(f, "resolved"),
        outcome=_outcome(f), note=_text(f, "note"), method=_text(f, "method") or "phone"),
    "close": lambda l, t, a, n, f: act.close_ticket(l, t, actor=a, now=n, note=_text(f, "note")),
    "reopen": lambda l, t, a, n, f: act.reopen_ticket(l, t, actor=a, now=n, reason=_text(f, "reason")),
    "escalate": lambda l, t, a, n, f: act.escalate_ticket(l, t, actor=a, now=n, note=_text(f, "note")),
    "remind": lambda l, t, a, n, f: act.remind_ticket(l, t, actor=a, now=n, note=_text(f, "note")),
    "add_note": lambda l, t, a, n, f: act.add_note(l, t, actor=a, now=n, note=_text(f, "note")),
}


def run_command(ledger: Ledger, number: str, action: str, *, actor: Actor, now: datetime,
                fields: Mapping[str, Any]) -> Ticket:
    """Run ``action`` on the ticket with this public number.

    Raises:
        NotFound: unknown action or ticket (or one the actor may not see).
        LedgerError: whatever the action itself refuses.
    """
    command = COMMANDS.get(action)
    if command is None:
        raise act.NotFound(f"未知操作：{action}")
    with ledger.db.reading() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        if ticket is None or not can_see(actor, ticket):
            raise act.NotFound("工单不存在或无权查看")
        ticket_id = ticket.id
    return command(ledger, ticket_id, actor, now, fields)
