"""What we say to citizens by SMS and TwiML: acknowledgements, replies, surveys.

The words live in one place so every channel tells the citizen the same thing
in the same way, and the survey's answer codes match what the reply parser reads.
"""
from __future__ import annotations

import re

from tracking.states import Satisfaction

REPLY_EXCERPT = 300  # characters of the department's reply put in the SMS; the rest is online
MOBILE = re.compile(r"^(1[3-9]\d{9}|\+\d{8,15})$")  # mainland mobiles, or an international number

# Survey answers (短信评议): the digit the citizen sends and what it records.
SURVEY_ANSWERS = {"1": Satisfaction.SATISFIED, "2": Satisfaction.BASICALLY, "3": Satisfaction.UNSATISFIED}
SURVEY_WORDS = {"满意": Satisfaction.SATISFIED, "非常满意": Satisfaction.SATISFIED,
                "基本满意": Satisfaction.BASICALLY, "一般": Satisfaction.BASICALLY,
                "不满意": Satisfaction.UNSATISFIED, "很不满意": Satisfaction.UNSATISFIED}


def can_receive_sms(phone: str | None) -> bool:
    """Only mobile numbers receive SMS; a landline given on a letter does not."""
    return bool(phone and MOBILE.match(phone))


def lookup_url(public_url: str) -> str:
    return public_url.rstrip("/") + "/lookup"


def acknowledgement(city: str, number: str, public_url: str, repeat_number: str | None = None) -> str:
    """Tell the citizen their ticket number and where to follow it."""
    text = f"【{city}12345】您的诉求已受理，工单编号{number}。"
    if repeat_number:
        text += f"您此前反映的同一问题（工单{repeat_number}）正在办理，本次诉求将合并办理。"
    return text + f"凭编号和手机号后四位可在 {lookup_url(public_url)} 查询进度。"


def reply_notice(city: str, number: str, department: str | None, reply: str, public_url: str) -> str:
    """The department's answer, shortened to an SMS; the full text is on the lookup page."""
    reply = " ".join((reply or "").split())
    if len(reply) > REPLY_EXCERPT:
        reply = reply[:REPLY_EXCERPT] + f"…（全文见 {lookup_url(public_url)}）"
    who = department or "承办单位"
    return f"【{city}12345】您的工单{number}已由{who}答复：{reply}"


def survey_request(city: str, number: str) -> str:
    return (f"【{city}12345】请对工单{number}的办理结果进行评价，直接回复数字："
            f"1 满意，2 基本满意，3 不满意。如有其他意见，可直接回复文字。")


def survey_thanks(satisfaction: Satisfaction, number: str) -> str:
    if satisfaction is Satisfaction.UNSATISFIED:
        return f"已收到您对工单{number}的评价（不满意），我们将督促承办单位重新办理，感谢您的监督。"
    return f"已收到您对工单{number}的评价，感谢您对12345热线工作的支持。"


def note_received(number: str) -> str:
    return f"您的短信已转入工单{number}，工作人员会一并处理。如需评价，请回复1（满意）、2（基本满意）或3（不满意）。"
