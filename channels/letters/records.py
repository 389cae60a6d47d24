"""One letter (来信) as staff key it in or a CSV row gives it, checked and turned into an intake record.

A letter's reference (信件编号, stamped on arrival) is its external id; a
letter without one gets an id made from its sender, date and text, so the
same letter keyed twice or a batch imported twice still makes one ticket.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from channels.intake import IntakeFile, IntakeRecord
from channels.storage import check_scan, safe_filename
from tracking.actions import InvalidInput
from tracking.actions.registration import normalise_phone
from tracking.states import Channel

MAX_SENDER, MAX_ADDRESS, MAX_TITLE, MAX_CONTENT, MAX_REFERENCE = 80, 300, 200, 20000, 60
REFERENCE = re.compile(r"^[\w.\-/]{1,60}$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass(frozen=True)
class Letter:
    sender: str
    received_on: str
    content: str
    phone: str = ""
    address: str = ""
    title: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Scan:
    filename: str
    data: bytes


def letter_record(letter: Letter, scan: Scan | None, *, now: datetime, tz) -> IntakeRecord:
    """Check a letter's fields and scan; every problem is reported at once.

    Raises:
        InvalidInput: listing each problem, separated by "；".
    """
    problems: list[str] = []
    sender, content = letter.sender.strip(), letter.content.strip()
    if not sender:
        problems.append("缺少来信人")
    elif len(sender) > MAX_SENDER:
        problems.append(f"来信人不能超过{MAX_SENDER}字")
    if not content:
        problems.append("缺少来信内容")
    elif len(content) > MAX_CONTENT:
        problems.append(f"来信内容不能超过{MAX_CONTENT}字")
    for value, limit, label in ((letter.address, MAX_ADDRESS, "地址"), (letter.title, MAX_TITLE, "标题")):
        if len(value.strip()) > limit:
            problems.append(f"{label}不能超过{limit}字")
    reference = letter.reference.strip()
    if reference and not REFERENCE.match(reference):
        problems.append("信件编号只能包含字母、数字和 - _ . /，不超过60个字符")
    phone = None
    try:
        phone = normalise_phone(letter.phone)
    except InvalidInput:
        problems.append(f"联系电话“{letter.phone.strip()[:32]}”格式不正确")
    received = _received_on(letter.received_on, now, tz, problems)
    content_type = None
    if scan is not None:
        try:
            content_type = check_scan(scan.data, scan.filename)
        except InvalidInput as exc:
            problems.append(exc.message)
    if problems:
        raise InvalidInput("；".join(problems))
    external_id = reference or "auto-" + hashlib.sha256(
        "\x1f".join([sender, received.isoformat(), content]).encode()).hexdigest()[:32]
    files = (IntakeFile(safe_filename(scan.filename), content_type, data=scan.data),) if scan else ()
    return IntakeRecord(
        channel=Channel.LETTER, external_id=external_id, content=content, title=letter.title.strip(),
        contact_name=sender, contact_phone=phone, address=letter.address.strip(), received_at=received,
        attachments=files, acknowledge_by_sms=True,
        payload={"reference": reference or None, "sender": sender, "phone": phone, "address": letter.address.strip(),
                 "received_on": received.date().isoformat(), "title": letter.title.strip(), "content": content,
                 "scan": safe_filename(scan.filename) if scan else None})


def _received_on(raw: str, now: datetime, tz, problems: list[str]) -> datetime:
    """The date the letter arrived, as the start of that day in the city; today when it is wrong."""
    raw = (raw or "").strip()
    parsed: date | None = None
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt).date()
            break
        except ValueError:
            continue
    today = now.astimezone(tz).date()
    if not raw:
        problems.append("缺少收信日期")
    elif parsed is None:
        problems.append(f"收信日期“{raw[:20]}”格式不正确，应为 YYYY-MM-DD")
    elif parsed > today:
        problems.append(f"收信日期 {parsed.isoformat()} 晚于今天")
    elif (today - parsed).days > 366:
        problems.append(f"收信日期 {parsed.isoformat()} 早于一年前，请核对")
    day = parsed if parsed is not None and not problems else today
    return datetime.combine(day, time(0, 0), tzinfo=tz)
