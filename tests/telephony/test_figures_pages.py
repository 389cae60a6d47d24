"""The figures page and API, the missed-call list with its call-back button, and who may see them."""
from __future__ import annotations

from datetime import datetime

from telephony.breaks import start_break
from telephony.store import save_call
from tests.telephony.conftest import login_agent
from tests.telephony.recorded import replay_records
from tracking.states import Role


def store_recorded_calls(services, ami_recordings) -> None:
    for name in ("queue-answered.ami", "queue-abandoned.ami", "agent-ring-no-answer.ami", "transfer-redirect.ami"):
        save_call(services.db, replay_records(ami_recordings / name)[-1], now=services.clock())


async def test_figures_json_for_the_recorded_day(client, services, keys, ami_recordings):
    store_recorded_calls(services, ami_recordings)

    response = await client.get("/api/v1/telephony/figures", params={"from": "2026-11-22", "to": "2026-11-22"},
                                headers=keys["supervisor"])

    body = await response.json()
    totals = body["totals"]
    assert (totals["offered"], totals["answered"], totals["abandoned"], totals["answered_in_time"]) == (4, 3, 1, 3)
    assert totals["answered_share"] == 0.75
    assert [day["day"] for day in body["per_day"]] == ["2026-11-22"]
    assert [hour["hour"] for hour in body["hour_of_day"]] == [9]  # 01:1x UTC is 09:1x in the city
    assert body["staffing"]["0.80"] == {"9": 1} and body["staffing"]["0.95"] == {"9": 1}
    assert [m["number"] for m in body["missed"]] == ["13900139000"]
    assert body["from"].startswith("2026-11-22T00:00:00+08")


async def test_figures_are_for_the_supervision_office(client, services, keys):
    assert (await client.get("/api/v1/telephony/figures", headers=keys["agent"])).status == 403
    assert (await client.get("/api/v1/telephony/figures", headers=keys["water"])).status == 403
    bad = await client.get("/api/v1/telephony/figures", params={"from": "2026-11-20", "to": "2026-11-01"},
                           headers=keys["supervisor"])
    assert bad.status == 400 and "晚于" in (await bad.json())["error"]
    too_long = await client.get("/api/v1/telephony/figures", params={"from": "2025-01-01"},
                                headers=keys["supervisor"])
    assert too_long.status == 400


async def test_figures_page_shows_the_day_the_missed_number_and_who_is_on_a_break(client, services, ami_recordings):
    store_recorded_calls(services, ami_recordings)
    on_break, _ = await login_agent(client, services, "PJSIP/1002")
    start_break(services.db, on_break, "PJSIP/1002", "培训", services.clock())
    await login_agent(client, services, None, role=Role.SUPERVISOR)

    page = await client.get("/telephony/figures", params={"from": "2026-11-22", "to": "2026-11-23"})

    html = await page.text()
    assert page.status == 200
    assert "话务统计" in html and "15秒接通率" in html and "75.0%" in html
    assert "2026-11-22" in html and "09:00–10:00" in html and "13900139000" in html
    assert "PJSIP/1002" in html and "培训" in html


async def test_missed_list_calls_back_only_missed_numbers(client, services, ami_recordings):
    store_recorded_calls(services, ami_recordings)
    _, csrf = await login_agent(client, services, "PJSIP/1001")

    listing = await (await client.get("/telephony/missed")).text()
    called = await client.post("/telephony/missed/callback", data={"number": "13900139000", "_csrf": csrf},
                               allow_redirects=False)
    stranger = await client.post("/telephony/missed/callback", data={"number": "13800138000", "_csrf": csrf})

    assert "13900139000" in listing and "13800138000" not in listing and "回拨" in listing
    assert "未连接电话系统" in listing  # no PBX in this app: the page says nothing will be dialled
    assert (called.status, called.headers["Location"]) == (303, "/telephony/missed?called=13900139000")
    assert stranger.status == 404 and "没有该号码的未接来电" in await stranger.text()


async def test_departments_do_not_see_call_pages(client, services, departments):
    await login_agent(client, services, None, role=Role.DEPARTMENT, department=departments["water"])

    assert (await client.get("/telephony/missed", allow_redirects=False)).status == 403
    assert (await client.get("/telephony/figures", allow_redirects=False)).status == 403
    assert (await client.get("/console/events")).status == 403


async def test_call_figures_join_the_evaluation_pages(client, services, keys, ami_recordings):
    store_recorded_calls(services, ami_recordings)
    await login_agent(client, services, None, role=Role.SUPERVISOR)
    november = (datetime(2026, 11, 1, tzinfo=services.ledger.tz), datetime(2026, 12, 1, tzinfo=services.ledger.tz))

    lines = {line.label: line.value for line in services.call_figures(*november)}
    page = await (await client.get("/evaluation/hotline", params={"period": "2026-11"})).text()

    assert lines["呼入量"] == "4" and lines["接通"] == "3（75.0%）" and lines["漏话号码"] == "1"
    assert services.call_figures(datetime(2026, 10, 1, tzinfo=services.ledger.tz), november[0]) is None
    assert "15秒接通率" in page and "75.0%" in page
