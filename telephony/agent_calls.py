"""Calls an agent places or moves: callback about a ticket (回访), callback of a missed call
(漏话回拨) and transfer to a department's expert line (转接), each recorded on the ticket.

Each function asks the PBX first and records only what it accepted; when call
control is the console implementation (no PBX configured) the ticket says
that nothing was dialled.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.db import Database
from hotline.web.blocking import run_blocking
from telephony.breaks import require_interface
from telephony.errors import controlled
from telephony.linking import link_call_to_ticket
from telephony.queries import current_call, missed_numbers_since
from tracking.accounts import Department
from tracking.actions import Actor, InvalidInput, NotFound, TransitionError, add_note
from tracking.presenters import mask_phone
from tracking.queries import ticket_by_number
from tracking.states import Status

MISSED_CALLBACK_WINDOW = timedelta(days=7)
"""How far back a missed call may be called back from the missed-call list."""

TRANSFER_MODES = {"blind": "盲转", "attended": "咨询转接"}
NOT_DIALLED = "（未连接电话系统，未实际拨号）"


async def call_back_ticket(services, control, number: str, *, actor: Actor, now: datetime) -> dict:
    """回访 (or any call back about a ticket): ring the citizen, connect the actor's phone.

    Raises:
        NotFound: no such ticket, or not visible to the actor.
        InvalidInput: the ticket has no phone number, or the actor no phone.
    """
    ticket = await run_blocking(ticket_by_number, services.db, number, actor)
    if not ticket.contact_phone:
        raise InvalidInput("该工单没有联系电话，无法回拨")
    interface = await run_blocking(require_interface, services.db, actor)
    action_id = await controlled(control.originate_callback(ticket.contact_phone, ticket.number,
                                                            agent_interface=interface))
    kind = "回访外呼" if ticket.status == Status.REPLIED else "回拨外呼"
    dialled = control.kind != "console"
    note = f"{kind}：{mask_phone(ticket.contact_phone)}（坐席{interface}）{'' if dialled else NOT_DIALLED}"
    await run_blocking(add_note, services.ledger, ticket.id, actor=actor, now=now, note=note,
                       telephony="callback", action_id=action_id, agent_interface=interface, dialled=dialled)
    return {"ticket": ticket.number, "action_id": action_id, "dialled": dialled}


async def call_back_missed(services, control, phone: str, *, actor: Actor, now: datetime) -> dict:
    """漏话回拨: call back a number whose call was missed in the last week.

    Raises:
        NotFound: no missed call from that number (the list is not a free dialler).
    """
    phone = (phone or "").strip()
    missed = await run_blocking(missed_numbers_since, services.db, now - MISSED_CALLBACK_WINDOW)
    if phone not in missed:
        raise NotFound("近7天没有该号码的未接来电")
    interface = await run_blocking(require_interface, services.db, actor)
    action_id = await controlled(control.originate_callback(phone, None, agent_interface=interface))
    return {"number": phone, "action_id": action_id, "dialled": control.kind != "console"}


async def transfer_call(services, control, number: str, *, department_code: str, mode: str = "blind",
                        linkedid: str | None = None, actor: Actor, now: datetime) -> dict:
    """转接: send the actor's current caller to a department's expert line, and note it on the ticket.

    ``blind`` redirects the citizen's channel (Redirect): the agent's leg ends.
    ``attended`` starts an attended transfer from the agent's channel (Atxfer):
    the agent talks to the expert first and hangs up to hand the caller over.

    Raises:
        InvalidInput: unknown mode or department, or the department has no expert line.
        TransitionError: the actor has no call in progress (or it cannot be moved).
    """
    if mode not in TRANSFER_MODES:
        raise InvalidInput("转接方式须为 blind（盲转）或 attended（咨询转接）")
    ticket = await run_blocking(ticket_by_number, services.db, number, actor)
    department = await run_blocking(_department, services.db, department_code)
    interface = await run_blocking(require_interface, services.db, actor)
    call = await run_blocking(current_call, services.db, interface, linkedid)
    if call is None:
        raise TransitionError("当前没有进行中的通话，无法转接")
    exten, _, context = department.expert_line.partition("@")
    context = context or services.settings.ami_transfer_context
    if mode == "blind":
        if not call.channel:
            raise TransitionError("找不到市民一方的通话通道，无法转接")
        await controlled(control.redirect(call.channel, context, exten))
    else:
        if not call.agent_channel:
            raise TransitionError("找不到坐席一方的通话通道，无法转接")
        await controlled(control.atxfer(call.agent_channel, context, exten))
    await run_blocking(link_call_to_ticket, services.db, call.linkedid, ticket.id, actor=actor, now=now)
    dialled = control.kind != "console"
    note = (f"来电转接至{department.name}专家热线（{department.expert_line}，{TRANSFER_MODES[mode]}）"
            f"{'' if dialled else NOT_DIALLED}")
    await run_blocking(add_note, services.ledger, ticket.id, actor=actor, now=now, note=note,
                       telephony="transfer", linkedid=call.linkedid, department=department.code, mode=mode,
                       expert_line=department.expert_line, dialled=dialled)
    return {"ticket": ticket.number, "linkedid": call.linkedid, "department": department.code,
            "expert_line": department.expert_line, "mode": mode, "dialled": dialled}


def _department(db: Database, code: str) -> Department:
    code = (code or "").strip()
    with db.reading() as session:
        department = session.scalar(select(Department).where(Department.code == code))
    if department is None or not department.active:
        raise InvalidInput(f"承办单位 {code} 不存在或已停用")
    if not department.expert_line:
        raise InvalidInput(f"{department.name}未设置专家热线，无法转接")
    return department
