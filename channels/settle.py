"""``intake.settle``: what happens to a ticket right after intake registered it.

Written as a follow-up job in the ticket's own transaction, so it runs even if
the web process dies a moment after answering the citizen. It folds a repeat
into the earlier ticket (并单; into the ticket that one was folded into, if it
was meanwhile, as a citizen's second follow-up may find), or sends the ticket
to routing when that earlier ticket closed in the meantime, and sends the
acknowledgement SMS.
Running it twice does nothing twice: the message row records that it settled.

Its batch form (:func:`settle_many`) folds the repeats of a batch together: at
a surge of follow-up texts ("还是没水"), which the SMS groups register hundreds a
second, each job alone took five transactions and the two workers fell minutes
behind (docs/benchmarks.md). Anything else in the batch is settled by the job's
own form.
"""
from __future__ import annotations

from sqlalchemy import select

from channels.intake import ROUTE_TASK, link_message
from channels.models import IntakeMessage, Outcome
from channels.notices import acknowledgement, can_receive_sms
from hotline.jobs import enqueue, task
from tracking.actions import Actor, LedgerError, merge_ticket, merge_tickets
from tracking.models import Ticket
from tracking.states import Status

MERGE_ACTOR = "重复诉求并单"


def settle_many(ctx, jobs: list[dict]) -> None:
    """The batch form of ``intake.settle``: the repeats still waiting unmerged are folded in one transaction.

    If any of those merges fails (its earlier ticket closed meanwhile), it raises having changed
    nothing, and the runner settles each job alone, which routes that one instead.
    """
    services, now = ctx.services, ctx.now
    with services.db.reading() as session:
        messages = {m.id: m for m in session.scalars(select(IntakeMessage).where(
            IntakeMessage.id.in_([job["intake_message_id"] for job in jobs])))}
        tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(
            [job["ticket_id"] for job in jobs] + [job["repeat_of"] for job in jobs if job.get("repeat_of")])))}
    folds = []
    for job in jobs:
        message, ticket = messages.get(job["intake_message_id"]), tickets.get(job["ticket_id"])
        if message is None or message.settled_at is not None:
            continue  # settled already (as ``settle`` finds it)
        if _foldable(job, message, ticket):
            folds.append(job)
        else:
            settle(ctx, **job)
    if not folds:
        return
    # Into the ticket that is worked: the earlier one, or the one it was folded into meanwhile.
    into = {job["intake_message_id"]: tickets[job["repeat_of"]].merged_into_id or job["repeat_of"] for job in folds}
    merge_tickets(services.ledger, sorted((job["ticket_id"], into[job["intake_message_id"]],
                                           job.get("repeat_reason") or "重复诉求") for job in folds),
                  actor=Actor.system(MERGE_ACTOR), now=now)
    with services.db.transaction() as session:
        for message in session.scalars(select(IntakeMessage).where(
                IntakeMessage.id.in_([job["intake_message_id"] for job in folds]),
                IntakeMessage.settled_at.is_(None)).with_for_update()):
            message.settled_at, message.outcome = now, Outcome.REPEAT
            message.repeat_of_id = into[message.id]


def _foldable(job: dict, message: IntakeMessage, ticket: Ticket | None) -> bool:
    """A repeat whose message is linked and whose ticket waits unmerged: what ``settle`` would just merge."""
    return bool(job.get("repeat_of")) and not job.get("acknowledge") and ticket is not None \
        and message.ticket_id == ticket.id and ticket.status == Status.REGISTERED and ticket.merged_into_id is None


@task("intake.settle", batch=settle_many)
def settle(ctx, *, ticket_id: int, intake_message_id: int, repeat_of: int | None = None,
           repeat_reason: str = "", acknowledge: bool = False) -> None:
    """Fold a repeat into its earlier ticket or route it, then acknowledge by SMS.

    Args:
        repeat_of: id of the earlier open ticket this one repeats, if intake found one.
        repeat_reason: why it was taken for a repeat (kept in the merge event).
        acknowledge: send the ticket number to the citizen's mobile.
    """
    services, now = ctx.services, ctx.now
    with services.db.reading() as session:
        message = session.get(IntakeMessage, intake_message_id)
        if message is None or message.settled_at is not None:
            return
    link_message(services.db, intake_message_id, ticket_id, outcome=Outcome.TICKET)
    merged_into = _merge(services, ticket_id, repeat_of, repeat_reason, now) if repeat_of else None
    with services.db.transaction() as session:
        message = session.scalar(select(IntakeMessage).where(IntakeMessage.id == intake_message_id)
                                 .with_for_update())
        if message.settled_at is not None:
            return
        message.settled_at = now
        message.outcome = Outcome.REPEAT if merged_into else Outcome.TICKET
        message.repeat_of_id = merged_into.id if merged_into else None
        ticket = session.get(Ticket, ticket_id)
        if repeat_of and merged_into is None and ticket.status == Status.REGISTERED:
            enqueue(session, ROUTE_TASK, now=now, ticket_id=ticket_id)  # the earlier one closed meanwhile
        if acknowledge and can_receive_sms(ticket.contact_phone):
            settings = services.settings
            body = acknowledgement(settings.city_name, ticket.number, settings.public_url,
                                   merged_into.number if merged_into else None)
            enqueue(session, "sms.send", now=now, ticket_id=ticket_id, to=ticket.contact_phone,
                    body=body, purpose="ack")


def _merge(services, ticket_id: int, into_id: int, reason: str, now) -> Ticket | None:
    """并单 into the earlier ticket, or the ticket it was itself folded into meanwhile; None when that
    can no longer take repeats (closed)."""
    with services.db.reading() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket.merged_into_id is not None:  # an earlier run of this job merged it already
            return session.get(Ticket, ticket.merged_into_id)
        if ticket.status != Status.REGISTERED:
            return None  # a person already took it in hand
        into_id = session.get(Ticket, into_id).merged_into_id or into_id  # merges never chain: one step
    try:
        merge_ticket(services.ledger, ticket_id, into_id, actor=Actor.system(MERGE_ACTOR), now=now,
                     note=reason or "重复诉求")
    except LedgerError:
        return None
    with services.db.reading() as session:
        return session.get(Ticket, into_id)
