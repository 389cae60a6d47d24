"""Reading the console's form into a ``NewTicket`` and a ``Finish``."""
from __future__ import annotations

from hotline.console.workflow import Finish
from tracking.actions import InvalidInput, NewTicket
from tracking.states import Channel, Priority

LOOKUP = "lookup"  # "查找": show suggestions, history and proposal without registering anything
CHANNELS = {"phone": Channel.PHONE, "letter": Channel.LETTER}
FIELDS = {"title": ("标题", 200), "content": ("诉求内容", 20000), "contact_name": ("来电人", 80),
          "contact_phone": ("电话", 32), "address": ("地址", 300), "answer": ("答复内容", 5000),
          "note": ("备注", 2000), "into": ("并入工单编号", 20), "into_choice": ("并入工单编号", 20),
          "department": ("承办单位", 40), "service_code": ("服务目录", 60), "finish": ("办理方式", 20),
          "article_id": ("知识条目", 20), "channel": ("来源", 20), "priority": ("紧急程度", 20)}


def new_ticket_from(form) -> NewTicket:
    """What the caller said, as a registration request.

    Raises:
        InvalidInput: an unknown urgency or channel, or a field over its length.
    """
    try:
        priority = Priority(_text(form, "priority") or Priority.NORMAL)
    except ValueError:
        raise InvalidInput("紧急程度不正确") from None
    channel = CHANNELS.get(_text(form, "channel") or "phone")
    if channel is None:
        raise InvalidInput("来源须为电话或来信")
    return NewTicket(channel=channel, content=_text(form, "content"), title=_text(form, "title"),
                     contact_name=_text(form, "contact_name"), contact_phone=_text(form, "contact_phone") or None,
                     address=_text(form, "address"), priority=priority,
                     service_code=_text(form, "service_code") or None)


def finish_from(form) -> Finish:
    """The agent's choice of 直接办结 / 派单 / 并单 / 暂存, with what it needs.

    Raises:
        InvalidInput: a field over its length, or a malformed article id.
    """
    article = _text(form, "article_id")
    if article and not article.isdigit():
        raise InvalidInput("知识条目编号不正确")
    return Finish(how=_text(form, "finish"), answer=_text(form, "answer"),
                  article_id=int(article) if article else None, department_code=_text(form, "department"),
                  service_code=_text(form, "service_code") or None,
                  into=_text(form, "into") or _text(form, "into_choice"), note=_text(form, "note"))


def _text(form, name: str) -> str:
    value = str(form.get(name, "") or "").strip()
    label, limit = FIELDS[name]
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}字")
    return value
