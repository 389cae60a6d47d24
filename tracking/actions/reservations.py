"""What new tickets take before their rows are written: public numbers, row ids, and their callers' contacts.

On PostgreSQL all of it is one statement on a connection of its own, in
autocommit, before the registration's transaction: the day's counter upsert
(see below), ``nextval`` for the new tickets', contacts' and jobs' ids, and the
lookup of the phones' earlier contacts. These were three round trips, each
with its fixed cost paid per intake group, and at a typhoon's peak those fixed
costs are much of a group's (docs/benchmarks.md). Nothing here needs the
registration's transaction: ids and numbers are never given back (a failed
registration leaves a gap, as a failed single insert does), and under READ
COMMITTED a contact read inside the transaction is no fresher than one read
just before it.

The counter's commit does not wait for the disk (``synchronous_commit`` off
for that statement only): its row lock is released at once instead of after a
flush, so the city's registrations do not queue behind each other's flushes;
inside the registration's transaction the lock was held until that commit
(about a hundred tickets a second at most). Nothing durable depends on it: a
ticket's commit flushes the log up to itself, and so the counter's earlier
increment with it; only an increment whose ticket never committed can be lost
in a crash, and its number was never given to anyone.

SQLite has one writer at a time: there the caller's transaction (which holds
the write lock) takes the numbers and the next ids after the largest, which is
what SQLite itself would choose for an ``INTEGER PRIMARY KEY``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hotline.ids import new_ids_sql, next_ids_of
from hotline.jobs import Job
from tracking.models import Contact, Ticket, TicketCounter

if TYPE_CHECKING:
    from tracking.actions.ticket_rows import Checked
    from tracking.ledger import Ledger


@dataclass(frozen=True)
class Reserved:
    """For a group of new tickets, in the items' order where it has one."""

    numbers: list[str]
    ticket_ids: list[int]
    job_ids: list[int]
    known: dict[str, int]  # phone -> the first contact already kept for it
    fresh: dict[str, int]  # phone with no contact yet -> the id its new contact gets


def reserve(session: Session, ledger: Ledger, items: Sequence[Checked], job_count: int) -> Reserved:
    """Numbers from each item's local day's counter, ids for the rows, and the contacts of the items' phones."""
    days = [item.now.astimezone(ledger.tz).strftime("%Y%m%d") for item in items]
    counts: dict[str, int] = defaultdict(int)
    for day in days:
        counts[day] += 1
    phones = list(dict.fromkeys(item.phone for item in items if item.phone))
    if session.get_bind().dialect.name == "postgresql":
        last, known, contact_ids, ticket_ids, job_ids = _postgres(session, counts, phones, len(items), job_count)
    else:
        last, known, contact_ids, ticket_ids, job_ids = _sqlite(session, counts, phones, len(items), job_count)
    numbers, taken = [], dict.fromkeys(counts, 0)
    for day in days:  # a group may straddle midnight: each day's numbers in the items' order
        numbers.append(f"{day}-{last[day] - counts[day] + 1 + taken[day]:06d}")
        taken[day] += 1
    fresh = dict(zip([phone for phone in phones if phone not in known], contact_ids))
    return Reserved(numbers, ticket_ids, job_ids, known, fresh)


def _postgres(session: Session, counts: dict[str, int], phones: list[str], tickets: int, jobs: int) -> tuple:
    bind = session.get_bind()
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        last, known, contact_ids, ticket_ids, job_ids = connection.execute(PG_RESERVE, {
            "days": list(counts), "counts": list(counts.values()), "phones": phones, "tickets": tickets,
            "jobs": jobs}).one()
    return last, known or {}, sorted(contact_ids or []), sorted(ticket_ids or []), sorted(job_ids or [])


# One statement (see the module's docstring); set_config(..., true) is SET LOCAL, for this statement's own
# transaction; the day counts are distinct days, as ON CONFLICT requires.
PG_RESERVE = text(
    "WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true)), "
    "counted AS (INSERT INTO ticket_counters (day, last_value) SELECT wanted.day, wanted.n "
    "FROM unnest(CAST(:days AS varchar[]), CAST(:counts AS integer[])) AS wanted(day, n), no_wait "
    "ON CONFLICT (day) DO UPDATE SET last_value = ticket_counters.last_value + excluded.last_value "
    "RETURNING day, last_value), "
    "known AS (SELECT phone, min(id) AS id FROM contacts WHERE phone = ANY(CAST(:phones AS varchar[])) "
    "GROUP BY phone) "
    "SELECT (SELECT json_object_agg(day, last_value) FROM counted), (SELECT json_object_agg(phone, id) FROM known), "
    + new_ids_sql(Contact.__tablename__,
                  "cardinality(CAST(:phones AS varchar[])) - (SELECT count(*) FROM known)") + ", "
    + new_ids_sql(Ticket.__tablename__, ":tickets") + ", " + new_ids_sql(Job.__tablename__, ":jobs"))


SQLITE_KNOWN = select(Contact.__table__.c.phone, func.min(Contact.__table__.c.id)).where(
    Contact.__table__.c.phone.in_(bindparam("phones", expanding=True))).group_by(Contact.__table__.c.phone)


def _sqlite(session: Session, counts: dict[str, int], phones: list[str], tickets: int, jobs: int) -> tuple:
    last = {}
    for day, count in counts.items():
        upsert = sqlite_insert(TicketCounter).values(day=day, last_value=count).on_conflict_do_update(
            index_elements=[TicketCounter.day], set_={"last_value": TicketCounter.last_value + count})
        last[day] = session.execute(upsert.returning(TicketCounter.last_value)).scalar_one()
    known = dict(session.execute(SQLITE_KNOWN, {"phones": phones}).all()) if phones else {}
    ids = next_ids_of(session, {Contact.__table__: len(phones) - len(known), Ticket.__table__: tickets,
                                Job.__table__: jobs})
    return last, known, ids[Contact.__table__], ids[Ticket.__table__], ids[Job.__table__]

