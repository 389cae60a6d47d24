"""Handling records (承办记录): one ticket at one department, with the flags every figure counts.

A department *received* a ticket in a period when the ticket was dispatched
(派单) or reassigned (改派) to it within the period; that pair is one record,
however often it happened. What the department did is read from its own events
on that ticket from the start of the period on (the event log says which
department each event belongs to, so a ticket returned by one department and
handled by another counts for both, each with its own part), and, for the
department holding the ticket now, from the ticket's current state: whether it
is overdue now, and the latest callback verdict.

Everything is one SQL statement (a grouped scan of the events since the
period's start, joined to the tickets), so the whole city's month is counted
by the database, not by Python loops; ``records_query`` is shared by the scorecard (which sums the
flags per department) and the drill-down (which lists the tickets behind a
flag).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select

from evaluation.models import Exclusion, ExclusionStatus
from evaluation.rules import Rules
from evaluation.sql import count_if, flag, is_false, moment, seconds_between
from tracking.models import Ticket, TicketEvent

RECEIPTS = ("dispatch", "reassign")
RESPONSES = ("start_work", "reply")  # the department's first word to the citizen
WORKING = ("dispatched", "accepted", "in_progress")  # open and owed an answer by its holder
COUNTED = (*RECEIPTS, "accept", "start_work", "return", "reply", "grant_extension", "reopen")  # events read

FLAGS = ("received", "sign_in_due", "signed_in_on_time", "signed_in_late", "reply_due", "replied_on_time",
         "overdue", "response_due", "responded_in_time", "responded_late", "called_back", "resolved",
         "unresolved", "satisfied", "unsatisfied", "returned", "replied", "reopened", "extended",
         "misrouted")


def facts_query(start: datetime, end: datetime, now: datetime, department_id: int | None = None) -> Select:
    """Per (ticket, department) received in ``[start, end)``: counts of the department's own events.

    One pass over the events from the period's start to ``now`` (read by time, as the ledger
    appends them), grouped per ticket and department; the groups without a receipt inside the
    period are dropped by HAVING. No join, so a month of a large city is one scan and one hash.
    """
    e = TicketEvent.__table__
    receipt_at = func.min(case((and_(e.c.action.in_(RECEIPTS), e.c.at < end), e.c.at)))
    on_time_false = is_false(e.c.data["on_time"])
    return (select(
        e.c.ticket_id, e.c.department_id, receipt_at.label("received_at"),
        count_if(e.c.action == "accept").label("accepts"),
        count_if(and_(e.c.action == "accept", on_time_false)).label("late_accepts"),
        count_if(e.c.action == "return").label("returns"),
        count_if(e.c.action == "reply").label("replies"),
        count_if(and_(e.c.action == "reply", on_time_false)).label("late_replies"),
        count_if(e.c.action == "grant_extension").label("extensions"),
        count_if(e.c.action == "reopen").label("reopens"),
        func.min(case((e.c.action.in_(RESPONSES), e.c.at))).label("first_response_at"),
        func.min(case((e.c.action == "reply", e.c.at))).label("first_reply_at"))
        .where(e.c.at >= start, e.c.at <= now, e.c.department_id.is_not(None), e.c.action.in_(COUNTED),
               *([e.c.department_id == department_id] if department_id is not None else []))
        .group_by(e.c.ticket_id, e.c.department_id)
        .having(receipt_at.is_not(None)))


def records_query(rules: Rules, start: datetime, end: datetime, now: datetime, *,
                  department_id: int | None = None, include_excluded: bool = False) -> Select:
    """One row per handling record with its 0/1 flags (named in ``FLAGS``) and ticket fields.

    Args:
        department_id: only this department's records.
        include_excluded: keep records with an approved exclusion (the exclusion
            list shows them); figures always leave them out.
    """
    f = facts_query(start, end, now, department_id).cte("facts").prefix_with("MATERIALIZED")
    t = Ticket.__table__
    # The tickets behind the records lie between the smallest and largest of their ids; saying
    # so lets the database read that stretch of the ticket table instead of all of it.
    lowest, highest = (select(func.min(f.c.ticket_id)).scalar_subquery(),
                       select(func.max(f.c.ticket_id)).scalar_subquery())
    at_now = moment(now)
    holder = t.c.department_id == f.c.department_id
    open_here = and_(holder, t.c.status.in_(WORKING))
    sign_in_late = or_(f.c.late_accepts > 0,
                       and_(holder, t.c.status == "dispatched", t.c.sign_in_due_at < at_now))
    overdue = or_(f.c.late_replies > 0, and_(open_here, t.c.reply_due_at < at_now))
    limit = case(*[(t.c.priority == p, literal(h * 3600.0)) for p, h in rules.response_limit_hours.items()],
                 else_=literal(rules.response_limit_hours["normal"] * 3600.0))
    responded_in_time = and_(f.c.first_response_at.is_not(None),
                             seconds_between(f.c.first_response_at, f.c.received_at) <= limit)
    responded_late = or_(and_(f.c.first_response_at.is_not(None),
                              seconds_between(f.c.first_response_at, f.c.received_at) > limit),
                         and_(f.c.first_response_at.is_(None), open_here,
                              seconds_between(at_now, f.c.received_at) > limit))
    called_back = and_(holder, t.c.satisfaction.is_not(None))
    satisfied = t.c.satisfaction.in_(("satisfied", "basically_satisfied"))
    flags = {
        "received": literal(1),
        "sign_in_due": flag(or_(f.c.accepts > 0, sign_in_late)),
        "signed_in_on_time": flag(and_(f.c.accepts > 0, ~sign_in_late)),
        "signed_in_late": flag(sign_in_late),
        "reply_due": flag(or_(f.c.replies > 0, overdue)),
        "replied_on_time": flag(and_(f.c.replies > 0, ~overdue)),
        "overdue": flag(overdue),
        "response_due": flag(or_(responded_in_time, responded_late)),
        "responded_in_time": flag(responded_in_time),
        "responded_late": flag(responded_late),
        "called_back": flag(called_back),
        "resolved": flag(and_(called_back, t.c.resolved.is_(True))),
        "unresolved": flag(and_(called_back, t.c.resolved.is_(False))),
        "satisfied": flag(and_(called_back, satisfied)),
        "unsatisfied": flag(and_(called_back, ~satisfied)),
        "returned": flag(f.c.returns > 0),
        "replied": flag(f.c.replies > 0),
        "reopened": flag(f.c.reopens > 0),
        "extended": flag(f.c.extensions > 0),
        # returned, and the ticket then went to another department: a candidate for 误派 exclusion
        "misrouted": flag(and_(f.c.returns > 0, t.c.department_id.is_not(None), ~holder)),
    }
    handling = case((f.c.first_reply_at.is_not(None), seconds_between(f.c.first_reply_at, f.c.received_at)))
    query = (select(f.c.ticket_id, f.c.department_id, f.c.received_at, t.c.number, t.c.title, t.c.status,
                    t.c.priority, t.c.satisfaction, t.c.reply_due_at, f.c.first_reply_at,
                    handling.label("handling_seconds"), *[value.label(name) for name, value in flags.items()])
             .select_from(f.join(t, and_(t.c.id == f.c.ticket_id, t.c.id >= lowest, t.c.id <= highest))))
    if not include_excluded:
        query = query.where(~excluded(f.c.ticket_id, f.c.department_id))
    return query


def excluded(ticket_id, department_id):
    """True where an approved exclusion takes this ticket out of this department's figures."""
    x = Exclusion.__table__
    return exists().where(x.c.ticket_id == ticket_id, x.c.department_id == department_id,
                          x.c.status == ExclusionStatus.APPROVED.value)
