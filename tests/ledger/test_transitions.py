"""Every action, from every status, by every role: allowed exactly when the table says so."""
from __future__ import annotations

import pytest

from tests.support.factories import DepartmentFactory, TicketFactory, UserFactory
from tracking import actions as act
from tracking.actions import Forbidden, NotFound, TransitionError
from tracking.commands import run_command
from tracking.models import Ticket
from tracking.states import TRANSITIONS, Role, Satisfaction, Status

FIELDS = {
    "dispatch": {"department": "water"}, "reassign": {"department": "gas"},
    "answer_directly": {"answer": "已告知办理流程"}, "return": {"reason": "不属于本单位职责"},
    "request_extension": {"working_days": 5, "reason": "需协调施工单位"},
    "refuse_extension": {"reason": "时限内可以办结"}, "reply": {"reply": "已安排维修，今日恢复供水"},
    "record_callback": {"satisfaction": "unsatisfied", "resolved": False},
    "reopen": {"reason": "市民表示仍未解决"}, "escalate": {"note": "请加快办理"},
    "add_note": {"note": "市民再次来电询问进度"},
}
ACTIONS = [a for a in TRANSITIONS if a != "remind"]  # 催办 is the sweep's, tested with it


@pytest.fixture
def world(services):
    water = DepartmentFactory.create(services, code="water", name="市水务集团")
    DepartmentFactory.create(services, code="gas", name="市燃气集团")
    actors = {role: UserFactory.create(services, role, department=water if role is Role.DEPARTMENT else None)
              for role in (Role.AGENT, Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)}
    actors[Role.SYSTEM] = act.Actor.system("测试通道")
    return services, water, actors


def ticket_in(status: Status, services, water, actors, action: str) -> Ticket:
    """A fresh ticket walked to ``status`` through the real actions."""
    ledger, now = services.ledger, services.clock()
    agent, staff, boss = actors[Role.AGENT], actors[Role.DEPARTMENT], actors[Role.SUPERVISOR]
    ticket = TicketFactory.registered(services, agent)
    steps = {
        Status.ANSWERED_DIRECTLY: [lambda t: act.answer_directly(ledger, t, actor=agent, now=now, answer="已解答")],
        Status.MERGED: [lambda t: act.merge_ticket(
            ledger, t, TicketFactory.registered(services, agent).id, actor=agent, now=now)],
    }
    walk = [lambda t: act.dispatch_ticket(ledger, t, water.id, actor=agent, now=now)]
    if status is Status.RETURNED:
        walk.append(lambda t: act.return_ticket(ledger, t, actor=staff, now=now, reason="非本单位"))
    if status in {Status.ACCEPTED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLED_BACK, Status.CLOSED}:
        walk.append(lambda t: act.accept_ticket(ledger, t, actor=staff, now=now))
    if status is Status.IN_PROGRESS:
        walk.append(lambda t: act.start_work(ledger, t, actor=staff, now=now))
    if status in {Status.REPLIED, Status.CALLED_BACK, Status.CLOSED}:
        walk.append(lambda t: act.reply_ticket(ledger, t, actor=staff, now=now, reply="已处理"))
    if status in {Status.CALLED_BACK, Status.CLOSED}:
        walk.append(lambda t: act.record_callback(ledger, t, actor=agent, now=now,
                                                  satisfaction=Satisfaction.UNSATISFIED, resolved=False))
    if status is Status.CLOSED:
        walk.append(lambda t: act.close_ticket(ledger, t, actor=boss, now=now))
    if action in {"grant_extension", "refuse_extension"} and status in {Status.ACCEPTED, Status.IN_PROGRESS}:
        walk.append(lambda t: act.request_extension(ledger, t, actor=staff, now=now, working_days=3, reason="协调"))
    for step in steps.get(status, [] if status is Status.REGISTERED else walk):
        step(ticket.id)
    with services.db.reading() as session:
        return session.get(Ticket, ticket.id)


def expected(action: str, status: Status, role: Role, ticket: Ticket):
    rule = TRANSITIONS[action]
    if role is Role.DEPARTMENT and ticket.department_id is None:
        return NotFound
    if role not in rule.roles:
        return Forbidden
    if status not in rule.sources:
        return TransitionError
    return None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_role_and_status(world, action):
    services, water, actors = world
    checked = 0
    for status in Status:
        for role, actor in actors.items():
            ticket = ticket_in(status, services, water, actors, action)
            assert ticket.status == status
            fields = dict(FIELDS.get(action, {}))
            if action == "merge":
                fields["into"] = TicketFactory.registered(services, actors[Role.AGENT]).number
            outcome = expected(action, status, role, ticket)
            where = f"{action} on {status} by {role}"
            if outcome is None:
                after = run_command(services.ledger, ticket.number, action, actor=actor,
                                    now=services.clock(), fields=fields)
                target = TRANSITIONS[action].to or status
                assert after.status == target, where
                with services.db.reading() as session:
                    last = session.get(Ticket, ticket.id).events[-1]
                assert (last.action, last.actor_name) == (action, actor.name), where
            else:
                with pytest.raises(outcome):
                    run_command(services.ledger, ticket.number, action, actor=actor,
                                now=services.clock(), fields=fields)
                with services.db.reading() as session:
                    assert session.get(Ticket, ticket.id).status == status, where
            checked += 1
    assert checked == len(Status) * len(actors)


def test_dispatching_a_group_sends_each_ticket_and_reports_the_ones_it_may_not(services):
    from tracking.actions import InvalidInput
    from tracking.actions.dispatching import DispatchOrder, dispatch_tickets
    from tracking.models import TicketEvent
    from tracking.notifications import Notification

    agent = UserFactory.create(services, Role.AGENT)
    water, closed = DepartmentFactory.create(services), DepartmentFactory.create(services, active=False)
    fresh, other = TicketFactory.registered(services, agent), TicketFactory.registered(services, agent)
    taken = TicketFactory.dispatched(services, agent, water)
    results = dispatch_tickets(services.ledger, [
        DispatchOrder(fresh.id, water.id, "智能分派：模型建议"), DispatchOrder(taken.id, water.id),
        DispatchOrder(other.id, closed.id), DispatchOrder(999999, water.id)], actor=agent, now=services.clock())
    assert results[fresh.id].status == Status.DISPATCHED
    assert isinstance(results[taken.id], TransitionError) and isinstance(results[other.id], InvalidInput)
    assert isinstance(results[999999], NotFound)
    with services.db.reading() as session:
        stored = session.get(Ticket, fresh.id)
        assert stored.department_id == water.id and stored.sign_in_due_at is not None and stored.step == "sign_in"
        event = session.query(TicketEvent).filter_by(ticket_id=fresh.id, action="dispatch").one()
        assert event.note == "智能分派：模型建议" and event.data["department_code"] == water.code
        assert session.query(Notification).filter_by(ticket_id=fresh.id, kind="dispatched").count() == 1
        assert session.get(Ticket, other.id).status == Status.REGISTERED
