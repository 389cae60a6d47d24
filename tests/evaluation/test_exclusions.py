"""核减: asked for, approved, rejected, revoked; applied to the figures and listed in the report."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from evaluation import exclusions as ex
from evaluation.models import Exclusion, ExclusionStatus, SettledMonth
from evaluation.periods import parse_period
from evaluation.queries import misrouted_candidates, period_exclusions
from evaluation.ranking import composite_score
from evaluation.report import build_report
from evaluation.scorecard import compute_scorecard
from tests.evaluation.month import TZ, local
from tracking.actions import Forbidden, InvalidInput, NotFound, TransitionError

OCTOBER = parse_period("2026-10")


def _water(services, month, rules):
    card = compute_scorecard(services.db, rules, OCTOBER, now=services.clock(), tz=TZ)
    return card.for_department(month.departments["water"].id)


def test_an_approved_misrouted_return_leaves_the_returning_department_s_figures(services, month, rules):
    now = services.clock()
    start, end = OCTOBER.bounds(TZ)
    candidates = misrouted_candidates(services.db, rules, start, end, now)
    assert [(c.record.number, c.record.department_code, c.reason) for c in candidates] == [
        (month.tickets["W6"].number, "water", "属燃气业务，非本单位职责")]
    asked = ex.request_exclusion(services.db, rules, number=month.tickets["W6"].number, kind="misrouted",
                                 reason="燃气业务，非水务职责", actor=month.staff["water"], now=now)
    assert asked.status == ExclusionStatus.PENDING
    assert _water(services, month, rules).received == 6  # a request alone changes nothing
    ex.decide_exclusion(services.db, asked.id, approve=True, note="核实属误派", actor=month.supervisor, now=now)
    water = _water(services, month, rules)
    assert (water.received, water.ratio("return_rate"), water.ratio("extension_rate")) == (5, (0, 5), (1, 5))
    assert composite_score(water, rules) == pytest.approx(84.75 - 2.5)  # no more 退单 penalty
    gas = compute_scorecard(services.db, rules, OCTOBER, now=now, tz=TZ).for_department(month.departments["gas"].id)
    assert gas.received == 6  # the department that handled it keeps it
    assert misrouted_candidates(services.db, rules, start, end, now) == []
    listed = period_exclusions(services.db, start, end)
    assert [(x.ticket.number, x.department.code, x.requested_by_name, x.decided_by_name) for x in listed] == [
        (month.tickets["W6"].number, "water", month.staff["water"].name, month.supervisor.name)]
    report = build_report(services, rules, OCTOBER, now=now)
    assert [x.reason for x in report.exclusions] == ["燃气业务，非水务职责"]


def test_a_supervisor_excludes_an_unreasonable_demand_directly_and_can_revoke_it(services, month, rules):
    now = services.clock()
    done = ex.request_exclusion(services.db, rules, number=month.tickets["W5"].number, kind="unreasonable",
                                reason="要求赔偿与供水无关的损失", department_code="water", actor=month.supervisor,
                                now=now)
    assert (done.status, done.decided_by_name) == (ExclusionStatus.APPROVED, month.supervisor.name)
    water = _water(services, month, rules)
    assert (water.received, water.value("overdue"), water.ratio("on_time_rate")) == (5, 1, (3, 4))
    ex.revoke_exclusion(services.db, done.id, reason="经复核属合理诉求", actor=month.supervisor, now=now)
    assert _water(services, month, rules).received == 6
    with pytest.raises(TransitionError):
        ex.revoke_exclusion(services.db, done.id, reason="again", actor=month.supervisor, now=now)


def test_the_rules_of_asking(services, month, rules):
    now = services.clock()
    w1 = month.tickets["W1"].number
    with pytest.raises(InvalidInput):  # W1 was never returned: it cannot be a 误派
        ex.request_exclusion(services.db, rules, number=w1, kind="misrouted", reason="x",
                             actor=month.staff["water"], now=now)
    with pytest.raises(InvalidInput):
        ex.request_exclusion(services.db, rules, number=w1, kind="unreasonable", reason=" ",
                             actor=month.staff["water"], now=now)
    with pytest.raises(InvalidInput):
        ex.request_exclusion(services.db, rules, number=w1, kind="because", reason="x",
                             actor=month.staff["water"], now=now)
    with pytest.raises(NotFound):  # gas never received W1
        ex.request_exclusion(services.db, rules, number=w1, kind="unreasonable", reason="x",
                             actor=month.staff["gas"], now=now)
    with pytest.raises(NotFound):  # a department cannot ask for another department
        ex.request_exclusion(services.db, rules, number=w1, kind="unreasonable", reason="x",
                             department_code="water", actor=month.staff["gas"], now=now)
    with pytest.raises(Forbidden):
        ex.request_exclusion(services.db, rules, number=w1, kind="unreasonable", reason="x",
                             actor=month.agent, now=now)
    asked = ex.request_exclusion(services.db, rules, number=w1, kind="malicious_repeat", reason="同一人反复来电",
                                 actor=month.staff["water"], now=now)
    with pytest.raises(TransitionError):  # one live request per ticket and department
        ex.request_exclusion(services.db, rules, number=w1, kind="unreasonable", reason="again",
                             actor=month.staff["water"], now=now)
    with pytest.raises(Forbidden):  # departments do not decide
        ex.decide_exclusion(services.db, asked.id, approve=True, actor=month.staff["water"], now=now)
    with pytest.raises(InvalidInput):  # a rejection says why
        ex.decide_exclusion(services.db, asked.id, approve=False, actor=month.supervisor, now=now)
    rejected = ex.decide_exclusion(services.db, asked.id, approve=False, note="来电均为正常诉求",
                                   actor=month.supervisor, now=local(11, 23, 10))
    assert rejected.status == ExclusionStatus.REJECTED
    assert _water(services, month, rules).received == 6
    again = ex.request_exclusion(services.db, rules, number=w1, kind="unreasonable", reason="补充材料后再次申请",
                                 actor=month.staff["water"], now=now)  # allowed after a rejection
    assert again.status == ExclusionStatus.PENDING


async def test_exclusion_forms_on_the_pages(client, services, month):
    from tests.support.web import login
    from tracking.states import Role

    token = await login(client, services, Role.DEPARTMENT, department=month.departments["water"])
    number = month.tickets["W6"].number
    response = await client.post("/evaluation/exclusions", data={
        "_csrf": token, "number": number, "kind": "misrouted", "reason": "燃气业务",
        "next": "/evaluation/departments/water?period=2026-10"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/evaluation/departments/water?period=2026-10"
    page = await (await client.get("/evaluation/departments/water?period=2026-10")).text()
    assert "待审核" in page and number in page
    refused = await client.post("/evaluation/exclusions", data={
        "_csrf": token, "number": number, "kind": "misrouted", "reason": "again",
        "next": "https://evil.example/"}, allow_redirects=False)
    assert refused.headers["Location"].startswith("/evaluation?error=")  # never off-site
    no_token = await client.post("/evaluation/exclusions", data={"number": number, "kind": "misrouted",
                                                                 "reason": "x"})
    assert no_token.status == 403
    pending = (await client.get("/evaluation/exclusions")).status
    assert pending == 403  # the exclusion office is the supervisors'

    await client.post("/logout", data={"_csrf": token})
    token = await login(client, services, Role.SUPERVISOR)
    office = await (await client.get("/evaluation/exclusions?period=2026-10")).text()
    assert "待审核的申请（1）" in office
    with services.db.reading() as session:
        exclusion_id = session.scalar(select(Exclusion.id))
    decided = await client.post(f"/evaluation/exclusions/{exclusion_id}/decide", data={
        "_csrf": token, "decision": "approve", "note": "属实", "next": "/evaluation/exclusions?period=2026-10"},
        allow_redirects=False)
    assert decided.status == 303
    office = await (await client.get("/evaluation/exclusions?period=2026-10")).text()
    assert "待审核的申请（0）" in office and "已核准" in office


def test_a_settled_month_is_stored_once_and_recounted_after_an_exclusion(services, month, rules):
    september, now = parse_period("2026-09"), services.clock()  # 23 November: September settled on 15 November
    first = compute_scorecard(services.db, rules, september, now=now, tz=TZ)
    water = month.departments["water"].id
    assert first.for_department(water).received == 5 and first.computed_at == now
    with services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(SettledMonth)) == len(month.departments)
    later = compute_scorecard(services.db, rules, september, now=local(12, 1, 9), tz=TZ)
    assert later.computed_at == now and later.for_department(water).received == 5  # read back, not recounted
    ex.request_exclusion(services.db, rules, number=month.tickets["S1"].number, kind="malicious_repeat",
                         reason="同一号码一日内来电四十次", department_code="water", actor=month.supervisor,
                         now=local(12, 1, 10))
    again = compute_scorecard(services.db, rules, september, now=local(12, 1, 11), tz=TZ)
    assert again.for_department(water).received == 4 and again.computed_at == local(12, 1, 11)
    october = compute_scorecard(services.db, rules, OCTOBER, now=now, tz=TZ)  # not settled: counted live
    assert october.computed_at == now
