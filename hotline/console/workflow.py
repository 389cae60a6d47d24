"""Taking a call from start to finish: register what the caller said, then answer, dispatch or merge.

The console composes the domains, which is why it lives in the composition
root: tracking registers and moves the ticket, the knowledge base vouches for
the article an answer used, telephony ties the call to the ticket. Every
choice is checked before anything is written, so a mistyped department or
merge target never leaves a half-finished ticket behind.
"""
from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from channels.notices import reply_notice
from config.districts import DistrictRecogniser
from hotline.services import Services
from tracking import actions as act
from tracking.accounts import Department
from tracking.actions import Actor, InvalidInput, NewTicket
from tracking.models import Ticket
from tracking.states import Channel
from tracking.queries import ticket_by_number

log = logging.getLogger(__name__)

ANSWER, DISPATCH, MERGE, SAVE = "answer", "dispatch", "merge", "save"
MOBILE = re.compile(r"1\d{10}")  # mainland mobile numbers as the ledger stores them
HOTLINE_NAME = "12345热线"
CALL_ID = re.compile(r"[0-9A-Za-z.\-]{1,64}")  # an Asterisk Linkedid or a Twilio CallSid; telephony checks it exactly
_RECOGNISERS: dict[int, tuple[object, DistrictRecogniser]] = {}
FINISHES = (ANSWER, DISPATCH, MERGE, SAVE)


@dataclass(frozen=True)
class Finish:
    """How the agent ends the call: 直接办结, 派单, 并单, or 暂存 (left in the queue)."""

    how: str
    answer: str = ""
    article_id: int | None = None
    department_code: str = ""
    service_code: str | None = None
    into: str = ""
    note: str = ""


@dataclass(frozen=True)
class Checked:
    """A finish whose references exist: the department's id, the merge target's id, the article's answer."""

    finish: Finish
    department_id: int | None = None
    into_id: int | None = None
    answer: str = ""


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    call_linked: bool
    warning: str | None = None


def check_finish(services: Services, finish: Finish, *, actor: Actor, now: datetime) -> Checked:
    """Resolve and check everything the finish refers to, before any write.

    Raises:
        InvalidInput: unknown choice, no answer, unknown or inactive department,
            an article that is not live, or a merge target that is closed.
        NotFound: a merge target the actor may not see.
    """
    if finish.how not in FINISHES:
        raise InvalidInput("请选择办理方式：直接办结、派单或并单")
    if finish.how == ANSWER:
        answer = finish.answer.strip()
        if finish.article_id is not None:
            article = services.knowledge.live(finish.article_id, now=now)
            if article is None:
                raise InvalidInput("所选知识条目已下线或不在有效期内，请重新选择")
            answer = answer or article.answer
        if not answer:
            raise InvalidInput("请填写答复内容，或采用一条知识库答复")
        return Checked(finish, answer=answer)
    if finish.how == DISPATCH:
        with services.db.reading() as session:
            department = session.scalar(select(Department).where(Department.code == finish.department_code))
        if department is None or not department.active:
            raise InvalidInput("请选择承办单位")
        if finish.service_code and finish.service_code not in services.knowledge.known_services:
            raise InvalidInput(f"服务目录中没有 {finish.service_code}")
        return Checked(finish, department_id=department.id)
    if finish.how == MERGE:
        if not finish.into.strip():
            raise InvalidInput("请填写要并入的工单编号")
        target = ticket_by_number(services.db, finish.into.strip(), actor)
        if not target.is_open or target.merged_into_id is not None:
            raise InvalidInput(f"工单{target.number}已办结或已并单，不能并入")
        return Checked(finish, into_id=target.id)
    return Checked(finish)


def take_call(services: Services, new: NewTicket, finish: Finish, *, actor: Actor, now: datetime,
              call_id: str | None = None) -> Outcome:
    """Register the caller's request and finish it as the agent chose.

    Raises:
        InvalidInput / NotFound / Forbidden: from the checks, before anything is written.
    """
    checked = check_finish(services, finish, actor=actor, now=now)
    if new.district is None:
        district = _recogniser(services.catalogue).recognise(new.content, new.address)
        new = replace(new, district=district.name if district else None)
    ticket = act.register_ticket(services.ledger, new, actor=actor, now=now).ticket
    linked = _link_call(services, call_id, ticket.id, actor, now) if call_id and CALL_ID.fullmatch(call_id) else False
    try:
        ticket = _apply(services, ticket.id, checked, actor, now)
    except act.LedgerError as exc:  # e.g. the merge target closed meanwhile: the ticket waits in the queue
        return Outcome(ticket, linked, f"工单{ticket.number}已登记，但{exc.message}；请在待处理队列中继续处理")
    return Outcome(ticket, linked)


def finish_ticket(services: Services, ticket_id: int, finish: Finish, *, actor: Actor, now: datetime) -> Ticket:
    """Finish a ticket that waited in the queue (from SMS, the web, a letter, or saved by an agent)."""
    if finish.how == SAVE:
        raise InvalidInput("请选择办理方式：直接办结、派单或并单")
    return _apply(services, ticket_id, check_finish(services, finish, actor=actor, now=now), actor, now)


def _apply(services: Services, ticket_id: int, checked: Checked, actor: Actor, now: datetime) -> Ticket:
    finish, ledger = checked.finish, services.ledger
    if finish.how == ANSWER:
        with services.db.reading() as session:
            ticket = session.get(Ticket, ticket_id)
        return act.answer_directly(ledger, ticket_id, actor=actor, now=now, answer=checked.answer,
                                   article_id=finish.article_id,
                                   follow_ups=_text_the_answer(services, ticket, checked.answer))
    if finish.how == DISPATCH:
        return act.dispatch_ticket(ledger, ticket_id, checked.department_id, actor=actor, now=now,
                                   note=finish.note, service_code=finish.service_code or None)
    if finish.how == MERGE:
        return act.merge_ticket(ledger, ticket_id, checked.into_id, actor=actor, now=now, note=finish.note)
    with services.db.reading() as session:
        return session.get(Ticket, ticket_id)


def _text_the_answer(services: Services, ticket: Ticket, answer: str) -> list[tuple[str, dict]]:
    """The SMS that tells the answer to a citizen who did not hear it on the phone (SMS, web, letter).

    A caller heard the agent; someone who texted or wrote did not, and the
    departments' replies reach them by SMS (intake's survey sweep), so the
    agent's does too, worded the same way. It is written in the answer's own
    transaction, so an answered ticket never misses its text.
    """
    phone = ticket.contact_phone or ""
    if ticket.channel == Channel.PHONE or not MOBILE.fullmatch(phone):
        return []
    body = reply_notice(services.settings.city_name, ticket.number, HOTLINE_NAME, answer,
                        services.settings.public_url)
    return [("sms.send", {"to": phone, "body": body, "purpose": "reply"})]


def _recogniser(catalogue) -> DistrictRecogniser:
    # Building one compiles the districts' patterns: once per catalogue, not per call.
    entry = _RECOGNISERS.get(id(catalogue))
    if entry is None or entry[0] is not catalogue:
        entry = _RECOGNISERS[id(catalogue)] = (catalogue, DistrictRecogniser(catalogue))
    return entry[1]


def _link_call(services: Services, call_id: str, ticket_id: int, actor: Actor, now: datetime) -> bool:
    """Tie the call to the ticket (telephony's ``link_call_to_ticket``) and name the call on the ticket.

    A failure here never loses the ticket: it is logged, and the ticket keeps
    a note with the call id so the link can be made by hand.
    """
    act.add_note(services.ledger, ticket_id, actor=actor, now=now, note=f"来电编号 {call_id}", call=call_id)
    try:
        linking = importlib.import_module("telephony.linking")
    except ImportError:
        return False
    try:
        linking.link_call_to_ticket(services.db, call_id, ticket_id, actor=actor, now=now)
    except act.LedgerError as exc:
        log.warning("call %s not linked to ticket %s: %s", call_id, ticket_id, exc.message)
        return False
    return True
