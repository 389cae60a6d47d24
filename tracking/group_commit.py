"""Group commit for the API's intake: registrations that arrive together are written together.

:class:`GroupCommit` is ``hotline.grouping.Grouped`` over
:func:`register_tickets`: each request is answered only after the commit that
holds its ticket, with its own result (its own error, or its earlier ticket on
re-delivery); a group is what arrived during the previous write.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hotline.grouping import MAX_GROUP, MAX_WAITING, Grouped
from tracking.actions.actor import Actor
from tracking.actions.intake_dispatch import IntakeRouting
from tracking.actions.registration import NewTicket, Registration
from tracking.actions.registration_batch import Submission, register_tickets
from tracking.ledger import Ledger


class GroupCommit(Grouped[Submission, Registration]):
    """One per web process (and event loop); see the module's docstring."""

    def __init__(self, ledger: Ledger, max_group: int = MAX_GROUP, routing: IntakeRouting | None = None,
                 max_waiting: int = MAX_WAITING):
        super().__init__(self._register_group, max_group, max_waiting)
        self.ledger = ledger
        self.routing = routing  # routes each group as it is written (see ``register_tickets``)

    def _register_group(self, submissions: list[Submission]) -> list:
        return register_tickets(self.ledger, submissions, self.routing)

    async def register(self, new: NewTicket, *, actor: Actor, now: datetime,
                       follow_ups: Sequence[tuple[str, dict]] = ()) -> Registration:
        """Register a ticket as ``register_ticket`` does, sharing the transaction with others waiting.

        Raises:
            LedgerError: what ``register_ticket`` raises for this ticket (invalid, forbidden).
            SQLAlchemyError: the database failed; none of the group was registered.
            Overloaded: too many registrations wait in this process already; this one was not taken.
        """
        return await self.submit(Submission(new, actor, now, tuple(follow_ups)))
