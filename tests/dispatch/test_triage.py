"""Routing registered tickets: confident ones go out by themselves, the rest wait in the triage queue."""
from __future__ import annotations

from sqlalchemy import func, select

from dispatch.models import Outcome, TicketProposal
from dispatch.router import Router
from hotline.jobs import Job
from tests.dispatch.conftest import MODEL_NAME, run_pending_jobs
from tests.support.web import login
from tracking.actions import Actor, NewTicket, register_ticket
from tracking.models import Ticket, TicketEvent
from tracking.states import Channel, Role, Status


def _intake(services, content: str, *, title: str = "", address: str = "", channel=Channel.WEB):
    """Register as intake does: with routing as the ticket's follow-up job, then run it."""
    new = NewTicket(channel=channel, content=content, title=title, address=address, contact_phone="13800138000")
    ticket = register_ticket(services.ledger, new, actor=_system(), now=services.clock(),
                             follow_ups=[("dispatch.route_ticket", {})]).ticket
    assert run_pending_jobs(services, "dispatch.route_ticket") == ["done"]
    with services.db.reading() as session:
        ticket = session.get(Ticket, ticket.id)
        proposals = list(session.scalars(select(TicketProposal).where(TicketProposal.ticket_id == ticket.id)))
        events = list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                      .order_by(TicketEvent.id)))
        ticket.department  # loaded while the session is open
    return ticket, proposals, events


def _system() -> Actor:
    return Actor.system("网站留言受理")


def test_confident_proposal_is_dispatched_by_the_router_with_its_model_version(services, people, model_store):
    ticket, proposals, events = _intake(services, "小区停水两天了，自来水一直没来，请尽快恢复供水", title="小区停水")
    assert ticket.status == Status.DISPATCHED and ticket.department.code == "water"
    assert ticket.service_code in {"water-outage", "water-account"}
    [proposal] = proposals
    assert proposal.outcome == Outcome.DISPATCHED and proposal.department_code == "water"
    assert proposal.model_name == MODEL_NAME and proposal.model_version == model_store.info(MODEL_NAME).version
    dispatch = events[-1]
    assert dispatch.action == "dispatch" and dispatch.actor_name == "智能分派" and dispatch.actor_role == "system"
    assert proposal.model_version in dispatch.note and dispatch.data["department_code"] == "water"


async def test_low_confidence_ticket_lands_in_triage_and_is_dispatched_in_one_click(services, people, model_store, client):
    services.dispatch = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.999)
    ticket, proposals, _ = _intake(services, "我家楼下那块地方的事情一直没人管，希望有关部门处理一下")
    assert ticket.status == Status.REGISTERED
    [proposal] = proposals
    assert proposal.outcome == Outcome.TRIAGE and proposal.needs_triage
    assert len(proposal.alternatives) == 2

    token = await login(client, services, Role.AGENT)
    page = await client.get("/dispatch/triage")
    html = await page.text()
    assert page.status == 200 and ticket.number in html and "待人工分派（1）" in html
    assert "派至建议" in html and proposal.reason in html
    chosen = proposal.alternatives[0]["department"]["code"]  # the dispatcher prefers the runner-up
    response = await client.post(f"/dispatch/triage/{ticket.number}", data={
        "_csrf": token, "department": chosen, "back": "/dispatch/triage"}, allow_redirects=False)
    assert response.status == 303 and "notice=" in response.headers["Location"]
    with services.db.reading() as session:
        sent = session.get(Ticket, ticket.id)
        assert sent.status == Status.DISPATCHED and sent.department.code == chosen
    assert ticket.number not in await (await client.get("/dispatch/triage")).text()


async def test_triage_page_is_for_the_hotline_and_the_supervision_office(services, people, client):
    await login(client, services, Role.DEPARTMENT, department=people.departments["water"])
    response = await client.get("/dispatch/triage", allow_redirects=False)
    assert response.status == 403


def test_without_auto_dispatch_every_proposal_waits_for_a_person(services, people, model_store):
    services.dispatch = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.55,
                               auto_dispatch=False)
    ticket, [proposal], _ = _intake(services, "小区停水两天了，自来水一直没来，请尽快恢复供水")
    assert ticket.status == Status.REGISTERED and proposal.outcome == Outcome.TRIAGE
    assert "全部人工确认" in proposal.reason and proposal.department_code == "water"


def test_routing_leaves_a_ticket_a_person_already_took_alone(services, people, model_store):
    from tracking.actions import dispatch_ticket

    new = NewTicket(channel=Channel.WEB, content="小区停水两天了", contact_phone="13800138000")
    ticket = register_ticket(services.ledger, new, actor=_system(), now=services.clock(),
                             follow_ups=[("dispatch.route_ticket", {})]).ticket
    dispatch_ticket(services.ledger, ticket.id, people.departments["gas"].id, actor=people.agent, now=services.clock())
    assert run_pending_jobs(services, "dispatch.route_ticket") == ["done"]
    with services.db.reading() as session:
        assert session.get(Ticket, ticket.id).department_id == people.departments["gas"].id
        assert session.scalars(select(TicketProposal)).all() == []


async def test_returned_ticket_is_reassigned_from_the_triage_page_without_the_returning_department(
        services, people, model_store, client):
    from tracking.actions import return_ticket

    ticket, _, _ = _intake(services, "小区停水两天了，自来水一直没来，请尽快恢复供水")
    water_staff = people.staff(services, "water")
    return_ticket(services.ledger, ticket.id, actor=water_staff, now=services.clock(), reason="系小区二次供水，属物业管理")
    token = await login(client, services, Role.AGENT)
    html = await (await client.get("/dispatch/triage?view=returned")).text()
    assert ticket.number in html and "系小区二次供水，属物业管理" in html and "已排除退单单位" in html
    assert 'name="department" value="water"' not in html
    response = await client.post(f"/dispatch/triage/{ticket.number}", data={
        "_csrf": token, "department": "housing", "back": "/dispatch/triage?view=returned"}, allow_redirects=False)
    assert response.status == 303
    with services.db.reading() as session:
        moved = session.get(Ticket, ticket.id)
        assert moved.status == Status.DISPATCHED and moved.department.code == "housing"


def test_proposals_are_noted_for_tickets_people_decided_at_the_console(services, people, model_store):
    from dispatch.tasks import note_missing_proposals
    from tests.support.factories import TicketFactory

    by_agent = TicketFactory.dispatched(services, people.agent, people.departments["gas"],
                                        content="小区停水两天了，自来水一直没来", title="停水")
    waiting = TicketFactory.registered(services, people.agent, content="路灯坏了")
    assert note_missing_proposals(services, now=services.clock()) == 1
    assert note_missing_proposals(services, now=services.clock()) == 0  # once only
    with services.db.reading() as session:
        [noted] = session.scalars(select(TicketProposal)).all()
    assert noted.ticket_id == by_agent.id and noted.outcome == Outcome.RECORDED
    assert noted.department_code == "water" and noted.model_version is not None
    assert waiting.id != noted.ticket_id


def test_an_intake_group_is_routed_together_each_ticket_as_alone(services, people, model_store):
    """The group's routing jobs run through the batch form: the same outcome per ticket, one by one's."""
    from hotline.job_runs import run_jobs
    from tracking.actions import dispatch_ticket
    from tracking.actions.registration_batch import Submission, register_tickets

    texts = ["小区停水两天了，自来水一直没来，请尽快恢复供水", "我家楼下那块地方的事情一直没人管",
             "小区停水一整天，水龙头没有水"]
    results = register_tickets(services.ledger, [
        Submission(NewTicket(Channel.WEB, text, contact_phone="13800138000"), _system(), services.clock(),
                   (("dispatch.route_ticket", {}),)) for text in texts])
    first, vague, taken = (r.ticket for r in results)
    water = people.departments["water"]
    dispatch_ticket(services.ledger, taken.id, water.id, actor=people.agent, now=services.clock())  # a person was quicker
    with services.db.reading() as session:
        ids = list(session.scalars(select(Job.id).where(Job.name == "dispatch.route_ticket").order_by(Job.id)))
    services.dispatch = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.9)
    assert set(run_jobs(services, ids, services.clock()).values()) == {"done"}
    with services.db.reading() as session:
        outcome = {p.ticket_id: p.outcome for p in session.scalars(select(TicketProposal))}
        statuses = {t.id: t.status for t in session.scalars(select(Ticket))}
        router_events = session.scalar(select(func.count(TicketEvent.id)).where(TicketEvent.actor_name == "智能分派"))
    assert outcome == {first.id: Outcome.DISPATCHED, vague.id: Outcome.TRIAGE}  # taken: out of routing's hands
    assert statuses == {first.id: Status.DISPATCHED, vague.id: Status.REGISTERED, taken.id: Status.DISPATCHED}
    assert router_events == 1
