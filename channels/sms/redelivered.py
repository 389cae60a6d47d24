"""Re-deliveries in an SMS group: all of them counted and answered as before, with one statement.

Twilio sends a message again when our answer did not reach it in time, and
at a surge (a typhoon's first hour) that is when answers are slow: re-
deliveries come in bursts, beside the new messages they delay further. Alone,
each cost ``replies._earlier_delivery`` a read and a transaction that locks,
counts and reads back its message (about nine round trips, a few hundred a
second at most). Here one ``UPDATE ... RETURNING`` counts one more delivery
on every kept message of the group and reads back what its first delivery
was answered (``replies.earlier_answer``), so each gets the same answer and
nothing new is kept, exactly as alone. A message whose first delivery
stopped before its ticket was written is not answered here: the one-message
rules carry on with it, as they would have.
"""
from __future__ import annotations

from sqlalchemy import bindparam, or_, select, update

from channels.models import IntakeMessage, Outcome
from channels.sms.replies import SmsAnswer, earlier_answer
from hotline.among import among, for_dialect
from tracking.models import Ticket
from tracking.states import Channel


def answer_redeliveries(services, sids: list[str]) -> dict[str, SmsAnswer]:
    """For each MessageSid already kept (and settled), its earlier answer; one more delivery counted on each.

    Each MessageSid must appear once in ``sids``: a row is counted once by one statement.
    """
    if not sids:
        return {}
    with services.db.transaction() as session:
        rows = session.execute(_count_deliveries(session), {"sids": sids, "sms": Channel.SMS.value}).all()
    return {sid: earlier_answer(services.settings, Outcome(outcome), number, repeat_of, (payload or {}).get("Body", ""))
            for sid, outcome, number, repeat_of, payload in rows}


@for_dialect
def _count_deliveries(postgres: bool):
    messages, tickets = IntakeMessage.__table__.c, Ticket.__table__.c

    def number_of(column):
        return select(tickets.number).where(tickets.id == column).scalar_subquery()

    return (update(IntakeMessage.__table__)
            .where(messages.channel == bindparam("sms"), among(messages.external_id, "sids", postgres),
                   or_(messages.ticket_id.is_not(None), messages.outcome == Outcome.UNMATCHED.value))
            .values(deliveries=messages.deliveries + 1)
            .returning(messages.external_id, messages.outcome, number_of(messages.ticket_id),
                       number_of(messages.repeat_of_id), messages.payload))
