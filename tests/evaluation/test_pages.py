"""The evaluation pages as the supervision office and a department see them."""
from __future__ import annotations

import re

from tests.support.web import login
from tracking.states import Role


async def test_the_supervision_office_sees_the_ranking_with_lights_and_definitions(shared_client, shared):
    await login(shared_client, shared, Role.SUPERVISOR)
    page = await shared_client.get("/evaluation?period=2026-10")
    html = await page.text()
    assert page.status == 200
    for name in ("市水务集团", "市燃气集团", "市教育局", "市住房和城乡建设局", "公共服务企业", "市直部门"):
        assert name in html
    assert "80.58" in html and 'class="light yellow"' in html
    assert "▼19.42" in html  # water's month-on-month change
    assert 'title="在签收时限内签收的工单' in html  # a figure's definition on hover
    assert "红榜" in html and "黑榜" in html


async def test_the_default_period_is_the_last_complete_month(shared_client, shared):
    await login(shared_client, shared, Role.SUPERVISOR)
    html = await (await shared_client.get("/evaluation")).text()
    assert "2026年10月" in html


async def test_every_number_drills_down_to_its_tickets(shared_client, shared, shared_month):
    await login(shared_client, shared, Role.SUPERVISOR)
    html = await (await shared_client.get("/evaluation?period=2026-10")).text()
    link = re.search(r'href="(/evaluation/tickets\?period=2026-10&amp;department=water&amp;flag=overdue)"', html)
    assert link, "the 按时办结率 of water links to its overdue tickets"
    listing = await (await shared_client.get(link.group(1).replace("&amp;", "&"))).text()
    numbers = set(re.findall(r'href="/tickets/(\d{8}-\d{6})"', listing))
    assert numbers == {shared_month.tickets["W3"].number, shared_month.tickets["W5"].number}
    assert "共 2 件" in listing


async def test_a_department_sees_only_its_own_scorecard(shared_client, shared, shared_month):
    await login(shared_client, shared, Role.DEPARTMENT, department=shared_month.departments["water"])
    first = await shared_client.get("/evaluation?period=2026-10", allow_redirects=False)
    assert first.status == 302 and first.headers["Location"].startswith("/evaluation/departments/water")
    own = await (await shared_client.get("/evaluation/departments/water?period=2026-10")).text()
    assert "市水务集团" in own and "80.58" in own and "第 <strong>2</strong> 名" in own
    assert "市燃气集团" not in own  # not another department's name, score or rank
    other = await shared_client.get("/evaluation/departments/gas?period=2026-10")
    assert other.status == 404
    listing = await (await shared_client.get("/evaluation/tickets?period=2026-10&flag=received")).text()
    numbers = set(re.findall(r'href="/tickets/(\d{8}-\d{6})"', listing))
    assert numbers == {shared_month.tickets[f"W{n}"].number for n in range(1, 7)}
    assert (await shared_client.get("/evaluation/tickets?period=2026-10&department=gas&flag=received")).status == 404
    for office_only in ("/evaluation/trends", "/evaluation/hotline", "/evaluation/exclusions",
                        "/evaluation/report.xlsx"):
        assert (await shared_client.get(office_only)).status == 403, office_only


async def test_a_department_api_key_reads_only_its_own_scorecard(shared_client, shared, shared_month):
    from hotline.auth import create_api_key
    key = create_api_key(shared.db, name="water-eval", role=Role.DEPARTMENT, department_code="water",
                         now=shared.clock())
    response = await shared_client.get("/api/v1/evaluation/scorecard?period=2026-10",
                                       headers={"Authorization": f"Bearer {key}"})
    body = await response.json()
    assert response.status == 200
    assert [d["department"]["code"] for d in body["departments"]] == ["water"]
    water = body["departments"][0]
    assert water["score"] == 80.58 and water["rank"] == 2 and water["counts"]["overdue"] == 2


async def test_agents_do_not_see_evaluation(shared_client, shared):
    await login(shared_client, shared, Role.AGENT)
    assert (await shared_client.get("/evaluation")).status == 403


async def test_trends_and_hotline_pages(shared_client, shared, shared_month):
    await login(shared_client, shared, Role.SUPERVISOR)
    trends = await (await shared_client.get("/evaluation/trends?period=2026-10")).text()
    assert trends.count("<svg") == 11  # one chart per figure
    assert "全市 26/10：95.2%" in trends  # the hovered point of October on the 满意率 chart: 20 of 21
    hotline = await (await shared_client.get("/evaluation/hotline?period=2026-10")).text()
    assert "登记受理 <strong>27</strong> 件" in hotline
    assert "网站留言" in hotline and "短信" in hotline
    phone = shared_month.tickets["G5"].contact_phone  # G5 and the repeat merged into it
    assert phone[:3] + "****" + phone[-4:] in hotline and phone not in hotline


async def test_a_bad_period_is_a_clear_error(shared_client, shared):
    await login(shared_client, shared, Role.SUPERVISOR)
    response = await shared_client.get("/evaluation?period=October")
    assert response.status == 400
    assert "无法识别的考核期" in await response.text()
