"""The whole loop in a real browser, as each user lives it on one day.

An agent takes a call in the console (opened as the screen pop's "新建工单"
link opens it) and dispatches the ticket to the department dispatch proposes;
that department signs it in and asks for more time; the supervision office
grants it; the department replies; the supervisor reads the month's ranking;
the citizen looks the ticket up with its number and the last four digits of
the phone. Every page is photographed into test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

CALLER = "13912345678"
STAFF_NAMES = ("王晓丽", "刘建国", "承办员")
REQUEST = ("我住在A1区幸福路12号幸福小区，小区门口那盏路灯已经坏了一个多星期，晚上一片漆黑，"
           "老人孩子出门都不安全，麻烦尽快派人来修。")


def test_a_ticket_from_call_to_citizen(person):
    # 接线员: the screen pop's link opens the console with the caller's number and the call id.
    agent = person("agent")
    agent.login("agent1")
    agent.open(f"/console?call=1795309969.3&phone={CALLER}")
    page = agent.page
    assert page.input_value("input[name=contact_phone]") == CALLER
    page.fill("input[name=contact_name]", "张先生")
    page.fill("input[name=address]", "A1区幸福路12号幸福小区")
    page.fill("textarea[name=content]", REQUEST)
    page.wait_for_selector("#proposal .proposal-choice")
    department = page.input_value("select[name=department]")
    assert department, "the proposed department was not chosen in the form"
    proposed = page.inner_text("#proposal")
    agent.shot("console-with-proposal")
    page.click("button[name=finish][value=dispatch]")
    notice = page.wait_for_selector("p.notice")
    number = re.search(r"\d{8}-\d{6}", notice.inner_text()).group(0)
    agent.shot("dispatched")

    # 承办单位: signs in and asks for three more working days.
    staff = person("department")
    staff.login(f"dept-{department}")
    staff.open("/department")
    row = staff.page.locator("tr", has_text=number)
    row.get_by_role("button", name="签收").click()
    row = staff.page.locator("tr", has_text=number)
    extension = row.locator("details", has=staff.page.locator("summary", has_text="申请延期"))
    extension.locator("summary").click()
    extension.locator("input[name=working_days]").fill("3")
    extension.locator("textarea[name=reason]").fill("需协调供电公司更换灯杆，预计三个工作日")
    staff.shot("asking-extension")
    extension.get_by_role("button", name="提交申请").click()
    staff.page.wait_for_load_state()
    assert "3" in staff.page.locator("tr", has_text=number).inner_text()
    staff.shot("extension-asked")

    # 督办: grants the extension.
    boss = person("supervisor")
    boss.login("supervisor")
    boss.open("/supervision?view=extensions")
    row = boss.page.locator("tr", has_text=number)
    assert "需协调供电公司" in row.inner_text()
    boss.shot("extensions-to-decide")
    row.get_by_role("button", name="同意延期").click()
    boss.page.wait_for_load_state()
    assert boss.page.locator("tr", has_text=number).count() == 0
    boss.shot("extension-granted")

    # 承办单位: replies.
    staff.open("/department")
    row = staff.page.locator("tr", has_text=number)
    reply = row.locator("details", has=staff.page.locator("summary", has_text="答复"))
    reply.locator("summary").click()
    reply.locator("textarea[name=reply]").fill("已联系供电公司于今日更换灯杆和灯具，路灯已恢复照明，感谢您的反映。")
    staff.shot("replying")
    reply.get_by_role("button", name="提交答复").click()
    staff.page.wait_for_load_state()
    staff.open(f"/tickets/{number}")
    assert "已答复" in staff.page.inner_text("main")
    staff.shot("ticket-replied")

    # 督办: the month's ranking of departments.
    boss.open("/evaluation")
    assert boss.page.locator("table").count() >= 1
    assert "排名" in boss.page.inner_text("main") or "名次" in boss.page.inner_text("main")
    boss.shot("ranking")

    # 市民: looks the ticket up; sees the steps and the reply, no staff names.
    citizen = person("citizen")
    citizen.open("/lookup")
    citizen.page.fill("input[name=number]", number)
    citizen.page.fill("input[name=phone_tail]", CALLER[-4:])
    citizen.page.click("main form button[type=submit]")
    citizen.page.wait_for_load_state()
    shown = citizen.page.inner_text("main")
    assert "已恢复照明" in shown and number in shown
    assert not any(name in shown for name in STAFF_NAMES)
    citizen.shot("lookup")

    # The agent's view of the whole story on the ticket page.
    agent.open(f"/tickets/{number}")
    timeline = agent.page.inner_text("main")
    for step in ("派单", "签收", "申请延期", "同意延期", "答复"):
        assert step in timeline, step
    assert proposed.strip().splitlines()[0].strip() != ""
    agent.shot("ticket-timeline")
