"""The ticket life cycle: statuses, roles and which action may move a ticket where.

The table ``TRANSITIONS`` is the whole state machine. Each action in
``tracking.actions`` looks up its own row, so the rules a reviewer reads here
are the rules the code enforces (and the ones ``tests/tracking`` walk through
for every role and state).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    REGISTERED = "registered"          # 受理: written down, not yet sent anywhere
    ANSWERED_DIRECTLY = "answered_directly"  # 直接办结: the agent answered on the spot
    DISPATCHED = "dispatched"          # 派单: sent to a department, waiting for it to sign in
    ACCEPTED = "accepted"              # 签收: the department took responsibility
    IN_PROGRESS = "in_progress"        # 办理中: the department is working on it
    RETURNED = "returned"              # 退单: the department says it is not theirs
    REPLIED = "replied"                # 答复: the department answered the citizen
    CALLED_BACK = "called_back"        # 回访: the citizen was asked whether it was solved
    CLOSED = "closed"                  # 办结
    MERGED = "merged"                  # 并单: folded into an earlier open ticket


STATUS_LABELS = {
    Status.REGISTERED: "已受理", Status.ANSWERED_DIRECTLY: "直接办结", Status.DISPATCHED: "已派单",
    Status.ACCEPTED: "已签收", Status.IN_PROGRESS: "办理中", Status.RETURNED: "已退单",
    Status.REPLIED: "已答复", Status.CALLED_BACK: "已回访", Status.CLOSED: "已办结",
    Status.MERGED: "已并单",
}

FINAL_STATUSES = frozenset({Status.ANSWERED_DIRECTLY, Status.CLOSED, Status.MERGED})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES)


class Role(StrEnum):
    AGENT = "agent"            # 接线员
    DEPARTMENT = "department"  # 承办单位
    SUPERVISOR = "supervisor"  # 督办/考核
    ADMIN = "admin"
    SYSTEM = "system"          # intake channels, the sweep, SMS replies: never a person's login


ROLE_LABELS = {Role.AGENT: "接线员", Role.DEPARTMENT: "承办单位", Role.SUPERVISOR: "督办考核",
               Role.ADMIN: "管理员", Role.SYSTEM: "系统"}


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"


PRIORITY_LABELS = {Priority.NORMAL: "一般", Priority.URGENT: "紧急", Priority.EMERGENCY: "特急"}


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    WEB = "web"
    API = "api"
    OPEN311 = "open311"
    LETTER = "letter"
    UPSTREAM = "upstream"
    VOICEMAIL = "voicemail"


CHANNEL_LABELS = {Channel.PHONE: "电话", Channel.SMS: "短信", Channel.WEB: "网站留言", Channel.API: "接口",
                  Channel.OPEN311: "Open311", Channel.LETTER: "来信", Channel.UPSTREAM: "上级派单",
                  Channel.VOICEMAIL: "语音留言"}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"            # 满意
    BASICALLY = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"        # 不满意


SATISFACTION_LABELS = {Satisfaction.SATISFIED: "满意", Satisfaction.BASICALLY: "基本满意",
                       Satisfaction.UNSATISFIED: "不满意"}


@dataclass(frozen=True)
class Transition:
    """Who may run an action, from which statuses, and where it leaves the ticket.

    ``to`` is None for actions that record something without moving the ticket
    (an extension request, a reminder, an escalation).
    """

    action: str
    label: str
    sources: frozenset[Status]
    to: Status | None
    roles: frozenset[Role]


def _t(action, label, sources, to, roles) -> Transition:
    return Transition(action, label, frozenset(sources), to, frozenset(roles))


A, D, S, M, SYS = Role.AGENT, Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM
WORKING = {Status.ACCEPTED, Status.IN_PROGRESS}

TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    _t("answer_directly", "直接办结", {Status.REGISTERED}, Status.ANSWERED_DIRECTLY, {A, M}),
    _t("dispatch", "派单", {Status.REGISTERED}, Status.DISPATCHED, {A, S, M, SYS}),
    _t("accept", "签收", {Status.DISPATCHED}, Status.ACCEPTED, {D, M}),
    _t("start_work", "办理中", {Status.ACCEPTED}, Status.IN_PROGRESS, {D, M}),
    _t("return", "退单", {Status.DISPATCHED} | WORKING, Status.RETURNED, {D, M}),
    _t("reassign", "改派", {Status.RETURNED, Status.DISPATCHED}, Status.DISPATCHED, {A, S, M}),
    _t("request_extension", "申请延期", WORKING, None, {D, M}),
    _t("grant_extension", "同意延期", WORKING, None, {S, M}),
    _t("refuse_extension", "不同意延期", WORKING, None, {S, M}),
    _t("reply", "答复", WORKING, Status.REPLIED, {D, M}),
    _t("record_callback", "回访", {Status.REPLIED}, Status.CALLED_BACK, {A, S, M, SYS}),
    _t("close", "办结", {Status.CALLED_BACK}, Status.CLOSED, {A, S, M, SYS}),
    _t("reopen", "重办", {Status.CALLED_BACK}, Status.DISPATCHED, {A, S, M}),
    _t("escalate", "督办", {Status.DISPATCHED, Status.RETURNED} | WORKING, None, {S, M, SYS}),
    _t("merge", "并单", {Status.REGISTERED}, Status.MERGED, {A, S, M, SYS}),
    _t("remind", "催办", {Status.DISPATCHED} | WORKING | {Status.REPLIED}, None, {S, M, SYS}),
    _t("add_note", "备注", set(Status), None, {A, D, S, M, SYS}),
]}
