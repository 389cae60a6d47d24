"""What happens when the tracker reports a call: store it, pop it to the agent, note callbacks on tickets.

:class:`CallFollower` owns the :class:`~telephony.tracker.CallTracker` the AMI
listener feeds. Its subscriber runs inside the AMI read loop, so it only
queues work: database writes go through the ordered
:class:`~telephony.writer.CallWriter`, pops and ticket notes run as tasks.
"""
from __future__ import annotations

import asyncio
import functools
import logging

from sqlalchemy import select

from hotline.web.blocking import run_blocking
from telephony.breaks import DEFAULT_REASON, end_break, start_break
from telephony.calls import CallbackFailed, CallConnected, CallEnded, CallOutcome, CallRecord, Direction, Notification
from telephony.hub import LocalHub, PushEvent
from telephony.pops import agents_at, deliver_pop, pop_payload
from telephony.store import Saved, close_calls_gone, save_call
from telephony.tracker import CallTracker
from telephony.writer import CallWriter
from tracking.actions import Actor, LedgerError, add_note
from tracking.models import Ticket

log = logging.getLogger(__name__)

SYSTEM_ACTOR = Actor.system("电话系统")

ORIGINATE_REASONS = {"0": "呼叫失败", "1": "对方挂断", "3": "无人接听", "5": "对方忙", "8": "线路拥塞"}
"""OriginateResponse ``Reason`` codes (Asterisk's AST_CONTROL values) in words."""

DIAL_STATUS_LABELS = {"NOANSWER": "无人接听", "BUSY": "对方忙", "CONGESTION": "线路拥塞",
                      "CHANUNAVAIL": "号码无法接通", "CANCEL": "已取消"}


class CallFollower:
    """Feeds the tracker and acts on what it reports; the AMI listener's event sink.

    Args:
        services: the app's services (database, ledger, clock).
        hub: where screen pops go.
    """

    def __init__(self, services, hub: LocalHub):
        self.services, self.hub = services, hub
        self.tracker = CallTracker(self.notify, now=services.clock)
        self.writer = CallWriter(self._save, self._after_save)
        self._tasks: set[asyncio.Task] = set()
        self._pops: dict[str, asyncio.Task] = {}  # screen pops under way, by linkedid
        self._members_in_order = asyncio.Lock()  # a pause and its unpause are applied in order

    async def start(self) -> None:
        await self.writer.start()

    # -- what the AMI listener feeds (its "tracker"): calls, plus queue members' pauses --

    def consume(self, event: dict) -> None:
        self.tracker.consume(event)
        if event.get("Event") == "QueueMemberPause" and event.get("Timestamp"):
            queue = self.services.settings.ami_queue
            if not queue or event.get("Queue") == queue:
                self._spawn(self._member_paused(event.get("Interface", ""), event.get("Paused") == "1",
                                                event.get("PausedReason") or event.get("Reason") or ""))

    def resync(self, channels, queue_entries=(), *, now=None) -> None:
        self.tracker.resync(channels, queue_entries, now=now)

    def expire(self, now) -> list[CallRecord]:
        return self.tracker.expire(now)

    async def _member_paused(self, interface: str, paused: bool, reason: str) -> None:
        """A pause made anywhere (the web, the phone's feature code, the PBX console) is a break."""
        async with self._members_in_order:
            db, now = self.services.db, self.services.clock()
            for user_id in await run_blocking(agents_at, db, interface):
                if paused:
                    await run_blocking(start_break, db, user_id, interface, reason or DEFAULT_REASON, now)
                else:
                    await run_blocking(end_break, db, user_id, now)

    async def stop(self) -> None:
        await self.writer.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until every write, pop and note started so far is done (tests, shutdown)."""
        async with asyncio.timeout(timeout):
            while self._tasks or self.writer.pending:
                await asyncio.gather(*self._tasks, return_exceptions=True)
                await self.writer.flush()

    def notify(self, note: Notification) -> None:
        """The tracker's subscriber: queue what this notification asks for, never wait."""
        if isinstance(note, CallbackFailed):
            self._spawn(self._callback_failed(note))
            return
        record = note.record if isinstance(note, CallEnded) else self.tracker.get(note.linkedid)
        if record is not None:
            self.writer.submit(record)
        if isinstance(note, CallConnected):
            pop = self._pops[note.linkedid] = self._spawn(self._pop(note))
            pop.add_done_callback(lambda done: self._pops.pop(note.linkedid, None)
                                  if self._pops.get(note.linkedid) is done else None)

    def on_status(self, status: str) -> None:
        """The listener's status callback: after each (re)connect and resync, close what ended meanwhile."""
        if status == "connected":
            self._spawn(self._close_gone())

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(_logged(coroutine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _save(self, record: CallRecord) -> Saved:
        return save_call(self.services.db, record, now=self.services.clock())

    async def _pop(self, note: CallConnected) -> None:
        db = self.services.db
        user_ids = await run_blocking(agents_at, db, note.agent_interface)
        if not user_ids:
            log.info("call %s answered on %s: no user has that interface, no screen pop",
                     note.linkedid, note.agent_interface)
            return
        payload = await run_blocking(functools.partial(
            pop_payload, db, linkedid=note.linkedid, caller=note.caller_number, queue=note.queue,
            answered_at=note.at))
        await deliver_pop(self.hub, user_ids, payload)

    async def _close_gone(self) -> None:
        still_open = {record.linkedid for record in self.tracker.open_calls}
        now = self.services.clock()
        closed = await run_blocking(close_calls_gone, self.services.db, still_open, listed_at=now, now=now)
        if closed:
            log.warning("%d calls ended while the AMI link was down; closed at resync", closed)

    async def _after_save(self, record: CallRecord, saved: Saved) -> None:
        """Once per call (the write that ended it): tell the agent, and note a callback's result."""
        if not saved.just_ended:
            return
        pop = self._pops.pop(record.linkedid, None)
        if pop is not None:  # the agent sees the call before its end, however short it was
            await asyncio.gather(pop, return_exceptions=True)
        if saved.agent_user_id is not None:
            await self.hub.publish(saved.agent_user_id, PushEvent("call_ended", record.linkedid, {
                "linkedid": record.linkedid, "outcome": record.outcome.value if record.outcome else None}))
        if record.direction is Direction.OUTBOUND and saved.ticket_id is not None:
            await run_blocking(self._note, saved.ticket_id, callback_result_note(record),
                               linkedid=record.linkedid, outcome=record.outcome.value if record.outcome else None,
                               talk_seconds=record.talk_seconds)

    async def _callback_failed(self, note: CallbackFailed) -> None:
        number = note.ticket_number or note.action_id.removeprefix("callback-")
        if not await self.hub.claim(f"callback-failed:{note.action_id}:{note.channel}:{note.reason}"):
            return
        ticket_id = await run_blocking(_ticket_id, self.services.db, number)
        if ticket_id is not None:
            reason = ORIGINATE_REASONS.get(note.reason, f"原因代码{note.reason}")
            await run_blocking(self._note, ticket_id, f"回访外呼未接通：{reason}",
                               outcome=CallOutcome.UNANSWERED.value, reason_code=note.reason)

    def _note(self, ticket_id: int, text: str, **data) -> None:
        try:
            add_note(self.services.ledger, ticket_id, actor=SYSTEM_ACTOR, now=self.services.clock(),
                     note=text, telephony="callback_result", **data)
        except LedgerError as exc:
            log.warning("callback result not noted on ticket %s: %s", ticket_id, exc.message)


async def _logged(coroutine) -> None:
    """Run a follow-up of a call, logging its failure (a database outage) instead of losing it silently."""
    try:
        await coroutine
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("call follow-up %s failed", getattr(coroutine, "__qualname__", coroutine))


def callback_result_note(record: CallRecord) -> str:
    """The line a callback's end leaves on its ticket, e.g. ``回访外呼已接通，通话35秒``."""
    if record.outcome is CallOutcome.ANSWERED:
        return f"回访外呼已接通，通话{round(record.talk_seconds or 0)}秒"
    status = DIAL_STATUS_LABELS.get(record.dial_status or "", record.dial_status or "未接通")
    return f"回访外呼未接通：{status}"


def _ticket_id(db, number: str) -> int | None:
    with db.reading() as session:
        return session.scalar(select(Ticket.id).where(Ticket.number == number))
