"""Learning from people: corrections are read from the ledger, and retraining promotes only a model not worse."""
from __future__ import annotations

from sqlalchemy import select

from dispatch import retraining
from dispatch.corrections import find_corrections
from dispatch.learning import Places
from dispatch.models import Outcome
from dispatch.retraining import retrain
from dispatch.routing import store_proposal
from dispatch.service import propose
from hotline.demo.messages import SAMPLES
from tests.dispatch.conftest import MODEL_NAME
from tests.support.factories import TicketFactory
from tracking.actions import dispatch_ticket, reassign_ticket, return_ticket
from tracking.models import Ticket

BIKES = ["共享单车乱停乱放，把小区门口的人行道全堵死了{}", "地铁站出口共享单车堆成山，行人没法走{}",
         "共享单车企业投放太多，{}路边到处都是坏车没人收"]


def _proposed(services, people, content: str, *, title: str = "诉求"):
    """A registered ticket with the proposal routing made for it (left for a dispatcher)."""
    ticket = TicketFactory.registered(services, people.agent, content=content, title=title)
    with services.db.transaction() as session:
        store_proposal(session, ticket.id, propose(services, f"{title}\n{content}"), now=services.clock(),
                       outcome=Outcome.TRIAGE)
    return ticket


def _send(services, people, ticket, code: str, service_code: str | None = None):
    return dispatch_ticket(services.ledger, ticket.id, people.departments[code].id, actor=people.agent,
                           now=services.clock(), service_code=service_code)


def test_corrections_are_the_departments_people_chose_over_the_proposal(services, people, model_store):
    now = services.clock()
    changed = _proposed(services, people, "小区停水两天了，自来水一直没来")
    _send(services, people, changed, "housing")  # the agent overrules "water"
    confirmed = _proposed(services, people, "小区停水两天了，自来水一直没来啊")
    _send(services, people, confirmed, "water")
    bounced = _proposed(services, people, "小区停水三天了，到底什么时候来水")
    _send(services, people, bounced, "water")
    return_ticket(services.ledger, bounced.id, actor=people.staff(services, "water"), now=now, reason="二次供水归物业")
    reassign_ticket(services.ledger, bounced.id, people.departments["housing"].id, actor=people.agent, now=now)
    unrouted = TicketFactory.dispatched(services, people.agent, people.departments["gas"], content="停水了")
    local = _proposed(services, people, "物业费乱涨价，业委会不管")  # proposal: housing (the lead of a local service)
    _send(services, people, local, "dist_a3", service_code="property-management")  # the district office: same topic

    found = {c.ticket_id: c for c in find_corrections(services.db, services.catalogue)}
    assert set(found) == {changed.id, bounced.id}
    assert (found[changed.id].proposed, found[changed.id].corrected, found[changed.id].how) == ("water", "housing", "changed")
    assert (found[bounced.id].corrected, found[bounced.id].how) == ("housing", "reassigned")
    assert "小区停水两天了" in found[changed.id].text
    assert unrouted.id not in found and local.id not in found


def test_a_return_and_reassignment_without_any_proposal_is_a_correction(services, people):
    ticket = TicketFactory.dispatched(services, people.agent, people.departments["water"], content="燃气表不走字")
    return_ticket(services.ledger, ticket.id, actor=people.staff(services, "water"), now=services.clock(),
                  reason="燃气表归燃气集团")
    reassign_ticket(services.ledger, ticket.id, people.departments["gas"].id, actor=people.agent, now=services.clock())
    [correction] = find_corrections(services.db, services.catalogue)
    assert (correction.proposed, correction.corrected, correction.how) == (None, "gas", "reassigned")
    later = services.clock().replace(year=2027)
    assert find_corrections(services.db, services.catalogue, since=later) == []


def test_retrain_learns_the_corrections_and_promotes_a_model_that_is_not_worse(services, people, model_store):
    before = propose(services, BIKES[0].format("")).department.code
    assert before != "transport"
    for n in range(12):
        ticket = _proposed(services, people, BIKES[n % 3].format(f"（第{n + 1}次反映）"), title="共享单车")
        _send(services, people, ticket, "transport")
    places = Places(samples=SAMPLES, board=model_store.directory / "absent")
    result = retrain(model_store, services.catalogue, services.db, places, now=services.clock(), name="retrained")
    assert result.corrections == 12 and result.old.name == MODEL_NAME
    assert result.new.training_rows > result.old.training_rows
    assert result.promoted and model_store.current().name == "retrained", result.reason
    assert result.new_figures["n"] == result.old_figures["n"]  # the same held-out rows for both
    assert propose(services, "共享单车到处乱停，人行道都被占了").department.code == "transport"
    assert model_store.info("retrained").metrics["training"]["by_source"]["corrections"] > 0


def test_retrain_keeps_the_old_model_when_the_new_one_is_worse(services, people, model_store, monkeypatch):
    ticket = _proposed(services, people, BIKES[0].format(""), title="共享单车")
    _send(services, people, ticket, "transport")
    real = retraining.evaluate

    def old_model_looks_better(classifier, texts, labels):
        figures = real(classifier, texts, labels)
        if classifier.version == model_store.info(MODEL_NAME).version:
            figures = {**figures, "macro_f1": 1.0, "accuracy": 1.0}
        return figures

    monkeypatch.setattr(retraining, "evaluate", old_model_looks_better)
    places = Places(samples=SAMPLES, board=model_store.directory / "absent")
    result = retrain(model_store, services.catalogue, services.db, places, now=services.clock(), name="worse")
    assert not result.promoted and "未启用" in result.reason
    assert model_store.current().name == MODEL_NAME and model_store.info("worse").name == "worse"
    with services.db.reading() as session:
        assert session.scalar(select(Ticket.status).where(Ticket.id == ticket.id)) == "dispatched"
