"""Call rows in the ledger database: upserts that never go backwards, links, stale calls."""
from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from telephony.calls import CallOutcome, Direction
from telephony.linking import link_call_to_ticket
from telephony.models import Call
from telephony.store import close_calls_gone, close_stale_calls, record_from_row, save_call
from tests.support.factories import TicketFactory, UserFactory
from tests.telephony.recorded import replay_records
from tracking.actions import Actor, InvalidInput
from tracking.states import Role

SYSTEM = Actor.system("测试")


def row(services, linkedid: str) -> Call:
    with services.db.reading() as session:
        return session.scalar(select(Call).where(Call.linkedid == linkedid))


def count(services) -> int:
    with services.db.reading() as session:
        return session.scalar(select(func.count(Call.id)))


def test_each_snapshot_of_a_recorded_call_upserts_one_row(services, ami_recordings):
    agent = UserFactory.create(services, Role.AGENT, agent_interface="PJSIP/1001")
    snapshots = replay_records(ami_recordings / "queue-answered.ami")

    results = [save_call(services.db, snap, now=services.clock()) for snap in snapshots]

    assert count(services) == 1
    assert [r.just_ended for r in results] == [False] * (len(results) - 1) + [True]
    stored = row(services, "1795309969.3")
    assert (stored.caller_number, stored.queue, stored.agent_interface, stored.agent_user_id) == (
        "13800138000", "hotline", "PJSIP/1001", agent.user_id)
    assert (stored.outcome, stored.end_reason, stored.partial) == ("answered", "hangup", False)
    assert stored.wait_seconds == pytest.approx(3.0068, abs=1e-3)
    assert stored.talk_seconds == pytest.approx(5.0035, abs=1e-3)


def test_writing_twice_or_out_of_order_changes_nothing(services, ami_recordings):
    *opening, final = replay_records(ami_recordings / "queue-answered.ami")
    save_call(services.db, final, now=services.clock())
    before = record_from_row(row(services, final.linkedid))

    again = save_call(services.db, final, now=services.clock())
    for snap in opening:  # a slower process writing older states afterwards
        save_call(services.db, snap, now=services.clock())
    guessed = copy.deepcopy(final)
    guessed.ended_at, guessed.end_reason = final.ended_at + timedelta(minutes=5), "resync"
    save_call(services.db, guessed, now=services.clock())

    assert not again.just_ended and count(services) == 1
    assert record_from_row(row(services, final.linkedid)) == before


def test_a_real_hangup_replaces_a_guessed_end(services, ami_recordings):
    *_, final = replay_records(ami_recordings / "queue-abandoned.ami")
    guessed = copy.deepcopy(final)
    guessed.ended_at, guessed.end_reason = final.ended_at + timedelta(minutes=1), "resync"
    save_call(services.db, guessed, now=services.clock())

    save_call(services.db, final, now=services.clock())

    stored = row(services, final.linkedid)
    assert (stored.end_reason, stored.ended_at, stored.outcome) == ("hangup", final.ended_at, "abandoned")


def test_a_resync_estimate_keeps_exact_times_already_stored(services, ami_recordings):
    opening = replay_records(ami_recordings / "queue-answered.ami")[1]  # after AgentConnect
    save_call(services.db, opening, now=services.clock())
    estimate = copy.deepcopy(opening)
    estimate.partial, estimate.answered_at = True, opening.answered_at + timedelta(seconds=2)

    save_call(services.db, estimate, now=services.clock())

    stored = row(services, opening.linkedid)
    assert stored.answered_at == opening.answered_at and not stored.partial


def test_callback_rows_find_their_ticket(services, ami_recordings):
    agent = Actor(None, "测试坐席", Role.AGENT)
    ticket = TicketFactory.registered(services, agent)
    *_, final = replay_records(ami_recordings / "callback-originate.ami")
    final.ticket_number = ticket.number

    save_call(services.db, final, now=services.clock())

    stored = row(services, final.linkedid)
    assert (stored.direction, stored.ticket_id, stored.outcome) == (Direction.OUTBOUND, ticket.id, "answered")


def test_link_call_to_ticket_before_and_after_the_listener_writes(services, ami_recordings):
    agent = Actor(None, "测试坐席", Role.AGENT)
    first, second = (TicketFactory.registered(services, agent) for _ in range(2))
    *_, final = replay_records(ami_recordings / "queue-answered.ami")

    link_call_to_ticket(services.db, final.linkedid, first.id, actor=agent, now=services.clock())
    save_call(services.db, final, now=services.clock())
    link_call_to_ticket(services.db, final.linkedid, second.id, actor=agent, now=services.clock())

    stored = row(services, final.linkedid)
    assert (stored.ticket_id, stored.caller_number, stored.partial) == (first.id, "13800138000", False)
    with pytest.raises(InvalidInput):
        link_call_to_ticket(services.db, "'; drop table calls", first.id, actor=agent, now=services.clock())


def test_calls_are_never_left_open_forever(services, ami_recordings):
    opening = replay_records(ami_recordings / "queue-answered.ami")[1]
    save_call(services.db, opening, now=services.clock())

    assert close_stale_calls(services.db, opening.last_event_at + timedelta(hours=3)) == 0
    assert close_stale_calls(services.db, opening.last_event_at + timedelta(hours=5)) == 1

    stored = row(services, opening.linkedid)
    assert (stored.ended_at, stored.end_reason, stored.outcome) == (
        opening.last_event_at, "expired", CallOutcome.ANSWERED.value)


def test_resync_closes_calls_asterisk_no_longer_lists(services, ami_recordings):
    opening = replay_records(ami_recordings / "queue-answered.ami")[1]
    save_call(services.db, opening, now=services.clock())
    listed_at = opening.last_event_at + timedelta(minutes=1)

    assert close_calls_gone(services.db, {opening.linkedid}, listed_at=listed_at, now=listed_at) == 0
    assert close_calls_gone(services.db, set(), listed_at=listed_at, now=listed_at) == 1
    assert row(services, opening.linkedid).end_reason == "resync"
