"""Rules beside the model: the city's pinned decisions win, visibly, and a bad rules file is refused clearly."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from config.catalogue import load_catalogue
from dispatch.models import Outcome, TicketProposal
from dispatch.router import Router
from dispatch.rules import RulesError, higher_priority, load_rules
from dispatch.service import propose
from tests.dispatch.conftest import run_pending_jobs
from tracking.actions import Actor, NewTicket, register_ticket
from tracking.models import Ticket, TicketEvent
from tracking.states import Channel, Priority, Status

CATALOGUE = load_catalogue()


def _rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_rules_are_valid_and_match_as_written():
    book = load_rules(CATALOGUE)
    leak = book.match("家里厨房闻到煤气味，很浓")
    assert leak.rule.name == "燃气泄漏" and leak.rule.department == "gas" and leak.rule.priority == "emergency"
    assert leak.matched == "闻到煤气味"
    assert book.match("有人困在电梯里出不来").rule.name == "电梯困人"
    assert book.match("想咨询燃气泄漏报警器怎么安装") is None  # "unless" words cancel the rule
    assert book.match("燃气费怎么交") is None
    assert book.match("", service_code="gas-leak").rule.name == "燃气泄漏"  # a service code pinned
    # The address counts as the text does, folded the same way (full-width, spaces).
    assert book.match("请尽快处理", address="有人困在电梯里出不来").rule.name == "电梯困人"
    assert book.match("闻到煤气", address="味") == book.match("闻到煤气 味")  # one text across the two
    assert book.match("想咨询燃气泄漏", address="报警器怎么安装") is None  # "unless" words in either


def test_a_rule_wins_over_the_model_and_says_so(services, model_store):
    text = "楼道里一股煤气味，物业说不归他们管"
    model_only = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.55,
                        rules_file=_rules_file(model_store.directory, "rules: []\n"))
    services.dispatch = model_only
    assert propose(services, text).department.code != "gas"  # the model alone thinks otherwise
    services.dispatch = Router(services.catalogue, services.settings.model_store_dir, min_confidence=0.55)
    proposal = propose(services, text).as_json()
    assert proposal["department"]["code"] == "gas" and proposal["service"]["code"] == "gas-leak"
    assert proposal["rule"] == "燃气泄漏" and proposal["priority"] == "emergency"
    assert proposal["confidence"] == 1 and proposal["needs_triage"] is False
    assert proposal["top_terms"][0] == "一股煤气味" and proposal["model_version"] is not None
    assert "规则" in proposal["reason"]


def test_a_rule_raises_the_urgency_before_the_router_dispatches(services, people, model_store):
    new = NewTicket(channel=Channel.SMS, content="我家楼下一股燃气味，好像燃气泄漏了，快来人", contact_phone="13800138000")
    ticket = register_ticket(services.ledger, new, actor=Actor.system("短信受理"), now=services.clock(),
                             follow_ups=[("dispatch.route_ticket", {})]).ticket
    assert run_pending_jobs(services, "dispatch.route_ticket") == ["done"]
    with services.db.reading() as session:
        ticket = session.get(Ticket, ticket.id)
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)).all()
        [proposal] = session.scalars(select(TicketProposal)).all()
        assert ticket.department.code == "gas" and ticket.service_code == "gas-leak"
    assert ticket.status == Status.DISPATCHED and ticket.priority == Priority.EMERGENCY
    raised, dispatched = events[-2], events[-1]
    assert raised.action == "add_note" and "紧急程度 一般 → 特急" in raised.note and "燃气泄漏" in raised.note
    assert dispatched.action == "dispatch" and "规则“燃气泄漏”" in dispatched.note
    assert proposal.rule == "燃气泄漏" and proposal.outcome == Outcome.DISPATCHED


@pytest.mark.parametrize("body, problem", [
    ("rules:\n  - {name: a, keywords: [x], department: nowhere}\n", "承办单位 nowhere 不在"),
    ("rules:\n  - {name: a, keywords: [x], department: gas, service: no-such}\n", "服务 no-such 不在"),
    ("rules:\n  - {name: a, department: gas}\n", "keywords 与 services 至少填一项"),
    ("rules:\n  - {name: a, keywords: [x], department: gas, priority: asap}\n", "priority 须为"),
    ("rules:\n  - {name: a, keywords: [x], department: gas}\n  - {name: a, keywords: [y], department: gas}\n",
     "规则名称重复：a"),
    ("rules:\n  - {name: a, keywords: [x], department: gas, colour: red}\n", "未知字段 colour"),
    ("rules:\n  - {name: a, keywords: x, department: gas}\n", "keywords 须为非空字符串的列表"),
    ("rules: {}\n", "须有 rules 列表"),
])
def test_a_wrong_rules_file_is_refused_with_every_problem_named(tmp_path, body, problem):
    with pytest.raises(RulesError) as caught:
        load_rules(CATALOGUE, _rules_file(tmp_path, body))
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_rules_never_lower_urgency():
    assert higher_priority("normal", "emergency") == "emergency"
    assert higher_priority("emergency", "urgent") is None
    assert higher_priority("urgent", None) is None
