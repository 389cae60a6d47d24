"""Routing at intake: a group's tickets are written already routed, exactly as the routing job leaves them."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from dispatch.intake_routing import IntakeRouter
from dispatch.models import Outcome, TicketProposal
from hotline.jobs import Job
from tests.dispatch.conftest import run_pending_jobs
from tracking.accounts import Department
from tracking.actions import Actor, NewTicket, register_ticket
from tracking.actions.registration_batch import Submission, register_tickets
from tracking.models import Ticket, TicketEvent
from tracking.notifications import Notification
from tracking.states import Channel, Priority, Status

ROUTE = ("dispatch.route_ticket", {})
TEXTS = ["小区停水两天了，自来水一直没来，请尽快恢复供水",  # the model is sure: dispatched
         "我家楼下一股燃气味，好像燃气泄漏了，快来人",  # a rule: raised to 特急, then dispatched
         "我家楼下那块地方的事情一直没人管，希望有关部门处理一下"]  # vague: whatever the model says


def _new(text: str) -> NewTicket:
    return NewTicket(channel=Channel.API, content=text, contact_phone="13800138000")


def _group(services, texts, router=None):
    actor = Actor.system("接口受理")
    results = register_tickets(services.ledger, [Submission(_new(t), actor, services.clock(), (ROUTE,))
                                                 for t in texts], router or IntakeRouter(services))
    return [r.ticket.id for r in results]


def _routed(services, ticket_id: int) -> dict:
    """What a ticket looks like after routing, without what differs between any two tickets (ids, numbers)."""
    with services.db.reading() as session:
        ticket = session.get(Ticket, ticket_id)
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                 .order_by(TicketEvent.id)).all()
        proposals = session.scalars(select(TicketProposal).where(TicketProposal.ticket_id == ticket_id)).all()
        notices = session.execute(select(Notification.kind, Notification.department_id)
                                  .where(Notification.ticket_id == ticket_id)).all()
        return {"ticket": (ticket.status, ticket.department_id, ticket.service_code, ticket.priority,
                           ticket.dispatched_at, ticket.sign_in_due_at, ticket.reply_due_at, ticket.step,
                           ticket.step_due_at, ticket.step_yellow_at, ticket.next_alert_at, ticket.alerted_light),
                "events": [(e.action, e.actor_name, e.actor_role, e.from_status, e.to_status, e.department_id,
                            e.note.replace(ticket.number, "N"), {k: v for k, v in e.data.items()})
                           for e in events],
                "proposals": [(p.outcome, p.department_code, p.service_code, p.rule, p.reason, p.model_version,
                               p.confidence) for p in proposals],
                "notices": [tuple(n) for n in notices]}


def test_a_group_is_written_routed_exactly_as_the_routing_job_leaves_each_ticket(services, people, model_store):
    by_job = []
    for text in TEXTS:
        ticket = register_ticket(services.ledger, _new(text), actor=Actor.system("接口受理"), now=services.clock(),
                                 follow_ups=[ROUTE]).ticket
        by_job.append(ticket.id)
    assert run_pending_jobs(services, "dispatch.route_ticket") == ["done"] * len(TEXTS)

    at_intake = _group(services, TEXTS)

    for job_id, intake_id in zip(by_job, at_intake):
        assert _routed(services, intake_id) == _routed(services, job_id)
    with services.db.reading() as session:  # and nothing is left for a worker
        assert session.scalars(select(Job.args["ticket_id"].as_integer())).all() == by_job
    water, gas, _ = (_routed(services, i) for i in at_intake)
    assert water["ticket"][0] == Status.DISPATCHED and water["notices"] == [("dispatched", people.departments["water"].id)]
    assert gas["ticket"][3] == Priority.EMERGENCY and [e[0] for e in gas["events"]] == ["register", "add_note", "dispatch"]


def test_a_proposal_below_the_threshold_leaves_the_ticket_for_triage_with_its_proposal(services, people, model_store):
    from dispatch.router import Router

    services.dispatch = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.999)
    [ticket_id] = _group(services, [TEXTS[2]])
    routed = _routed(services, ticket_id)
    assert routed["ticket"][0] == Status.REGISTERED and routed["ticket"][1] is None
    [(outcome, *_)] = routed["proposals"]
    assert outcome == Outcome.TRIAGE and routed["notices"] == [] and [e[0] for e in routed["events"]] == ["register"]
    with services.db.reading() as session:
        assert session.scalars(select(Job)).all() == []


def test_a_department_closed_in_the_system_sends_the_ticket_to_triage_saying_so(services, people, model_store):
    with services.db.transaction() as session:
        session.execute(update(Department).where(Department.code == "water").values(active=False))
    [ticket_id] = _group(services, [TEXTS[0]])
    routed = _routed(services, ticket_id)
    [(outcome, department, *_rest)] = routed["proposals"]
    assert routed["ticket"][0] == Status.REGISTERED and outcome == Outcome.TRIAGE and department == "water"
    assert "未在系统中启用" in _rest[2]


def test_a_process_rereads_the_active_departments_after_ten_seconds(services, people, model_store, clock):
    router = IntakeRouter(services)  # one per web process, kept across groups
    [first] = _group(services, [TEXTS[0]], router)
    with services.db.transaction() as session:
        session.execute(update(Department).where(Department.code == "water").values(active=False))
    clock.advance(seconds=9)
    [soon] = _group(services, [TEXTS[0]], router)  # within ACTIVE_DEPARTMENTS_KEPT: the list read before
    clock.advance(seconds=1)
    [later] = _group(services, [TEXTS[0]], router)
    outcomes = [_routed(services, i)["proposals"][0][0] for i in (first, soon, later)]
    assert outcomes == [Outcome.DISPATCHED, Outcome.DISPATCHED, Outcome.TRIAGE]


def test_when_proposing_fails_the_tickets_are_registered_and_their_jobs_route_them(services, people, model_store,
                                                                                   monkeypatch, caplog):
    def broken(services, requests):
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr("dispatch.intake_routing.propose_many", broken)
    ids = _group(services, TEXTS[:2])
    assert "routing at intake failed" in caplog.text
    with services.db.reading() as session:
        assert session.scalars(select(Ticket.status).where(Ticket.id.in_(ids))).all() == [Status.REGISTERED] * 2
    monkeypatch.undo()
    assert run_pending_jobs(services, "dispatch.route_ticket") == ["done", "done"]
    assert [_routed(services, i)["ticket"][0] for i in ids] == [Status.DISPATCHED] * 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_api_answers_with_the_ticket_already_dispatched(client, services, people, model_store):
    from hotline.auth import create_api_key

    key = create_api_key(services.db, name="platform", now=services.clock())
    response = await client.post("/api/v1/tickets", json={"content": TEXTS[0], "contact_phone": "13800138000"},
                                 headers={"Authorization": f"Bearer {key}"})
    body = await response.json()
    assert response.status == 201, body
    assert body["status"] == "dispatched" and body["department"]["code"] == "water"


def test_a_channel_message_is_registered_routed_and_settled_in_one_go(services, people, model_store):
    from channels.intake import IntakeRecord, receive
    from channels.models import IntakeMessage

    now = services.clock()
    result = receive(services, IntakeRecord(channel=Channel.SMS, content=TEXTS[0], received_at=now,
                                            external_id="SM" + "1" * 32, contact_phone="13800138000"), now=now)
    routed = _routed(services, result.ticket.id)
    assert routed["ticket"][0] == Status.DISPATCHED and routed["ticket"][1] == people.departments["water"].id
    with services.db.reading() as session:
        message = session.scalar(select(IntakeMessage))
        assert session.scalars(select(Job)).all() == []  # nothing left for a worker
    assert message.ticket_id == result.ticket.id and message.settled_at == now


def test_a_repeat_is_not_routed_and_keeps_its_settle_job(services, people, model_store):
    from channels.intake import IntakeRecord, receive

    now = services.clock()
    first, repeat = (receive(services, IntakeRecord(channel=Channel.SMS, content=text, received_at=now,
                                                    external_id=sid, contact_phone="13800138000"), now=now)
                     for text, sid in ((TEXTS[0], "SM" + "1" * 32), (TEXTS[0] + "，还是没水", "SM" + "2" * 32)))
    assert repeat.repeat_of.id == first.ticket.id
    with services.db.reading() as session:
        jobs = [(j.name, j.ticket_id) for j in session.scalars(select(Job))]
    assert jobs == [("intake.settle", repeat.ticket.id)]
    assert _routed(services, repeat.ticket.id)["proposals"] == []
