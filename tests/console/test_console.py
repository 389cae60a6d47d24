"""The agent console end to end: register a call and finish it by answering, dispatching or merging."""
from __future__ import annotations

from sqlalchemy import func, select

from telephony.models import Call
from tests.support.factories import TicketFactory
from tracking.models import Ticket, TicketEvent
from tracking.states import Status

CALL = {"contact_name": "李女士", "contact_phone": "13912345678", "address": "A3区幸福小区3栋",
        "title": "家里没水", "content": "家里从早上开始没水了，邻居家也没有水。", "priority": "normal"}


def _ticket(services, number=None) -> Ticket:
    with services.db.reading() as session:
        query = select(Ticket).order_by(Ticket.id.desc())
        return session.scalar(query.where(Ticket.number == number) if number else query)


def _events(services, ticket_id):
    with services.db.reading() as session:
        return list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                    .order_by(TicketEvent.id)))


async def test_the_page_opened_from_a_screen_pop(client, agent_token):
    page = await client.get("/console", params={"call": "1795309969.3", "phone": "13912345678"})
    html = await page.text()
    assert page.status == 200
    assert 'value="13912345678"' in html and 'name="call" value="1795309969.3"' in html
    assert '<div id="screen-pop"></div>' in html and '/static/screenpop.js' in html
    assert "直接办结" in html and "派单" in html and "并单" in html and "待处理队列" in html


async def test_answer_directly_records_the_article_on_the_ticket(client, services, article, agent_token):
    response = await client.post("/console", allow_redirects=False, data={
        **CALL, "_csrf": agent_token, "call": "1795309969.3", "finish": "answer", "article_id": str(article.id)})
    assert response.status == 303, await response.text()
    ticket = _ticket(services)
    assert response.headers["Location"] == f"/console?done={ticket.number}&how=answer"
    assert ticket.status == Status.ANSWERED_DIRECTLY and ticket.reply_text.startswith("请先看邻居家")
    events = _events(services, ticket.id)
    answered = [e for e in events if e.action == "answer_directly"]
    assert len(answered) == 1 and answered[0].data["article_id"] == article.id
    assert any(e.data.get("call") == "1795309969.3" for e in events)
    with services.db.reading() as session:
        call = session.scalar(select(Call).where(Call.linkedid == "1795309969.3"))
    assert call is not None and call.ticket_id == ticket.id
    done = await (await client.get(response.headers["Location"])).text()
    assert ticket.number in done and "已直接办结" in done


async def test_the_agents_own_words_go_with_the_article(client, services, article, agent_token):
    await client.post("/console", data={**CALL, "_csrf": agent_token, "finish": "answer",
                                        "article_id": str(article.id), "answer": "已告知来电人先检查阀门。"})
    ticket = _ticket(services)
    assert ticket.reply_text == "已告知来电人先检查阀门。"
    assert [e.data.get("article_id") for e in _events(services, ticket.id) if e.action == "answer_directly"] == [article.id]


async def test_dispatch_to_the_chosen_department_and_service(client, services, depts, agent_token):
    response = await client.post("/console", allow_redirects=False, data={
        **CALL, "_csrf": agent_token, "finish": "dispatch", "department": "water", "service_code": "water-outage",
        "note": "整栋楼停水"})
    assert response.status == 303
    ticket = _ticket(services)
    assert ticket.status == Status.DISPATCHED and ticket.department_id == depts["water"].id
    assert ticket.service_code == "water-outage" and ticket.district == "A3区" and ticket.reply_due_at


async def test_merge_into_the_callers_open_ticket(client, services, depts, people, agent_token):
    earlier = TicketFactory.dispatched(services, people["agent"], depts["water"], contact_phone="13912345678")
    history = await (await client.get("/api/v1/console/history", params={"phone": "139 1234 5678"})).json()
    assert [(item["number"], item["open"]) for item in history["items"]] == [(earlier.number, True)]
    response = await client.post("/console", allow_redirects=False, data={
        **CALL, "_csrf": agent_token, "finish": "merge", "into_choice": earlier.number})
    assert response.status == 303
    ticket = _ticket(services)
    assert ticket.status == Status.MERGED and ticket.merged_into_id == earlier.id


async def test_an_incomplete_choice_registers_nothing(client, services, article, agent_token):
    for choice in ({"finish": "dispatch"}, {"finish": "answer"}, {"finish": "merge", "into": "20990101-000001"},
                   {"finish": "answer", "article_id": "999999"}, {"finish": "nonsense"}):
        response = await client.post("/console", data={**CALL, "_csrf": agent_token, **choice})
        html = await response.text()
        assert response.status in (400, 404), (choice, response.status)
        assert "家里从早上开始没水了" in html  # what the agent typed is still there
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0


async def test_save_for_later_and_finish_from_the_queue(client, services, depts, people, agent_token):
    from tracking.actions import Actor, NewTicket, register_ticket
    from tracking.states import Channel, Priority
    sms = register_ticket(services.ledger, NewTicket(channel=Channel.SMS, content="路灯坏了好几天", external_id="SM1"),
                          actor=Actor.system("短信通道"), now=services.clock()).ticket
    urgent = register_ticket(services.ledger, NewTicket(channel=Channel.WEB, content="燃气管道有异味",
                                                        priority=Priority.URGENT),
                             actor=Actor.system("网站留言"), now=services.clock()).ticket
    TicketFactory.dispatched(services, people["agent"], depts["water"])  # already sent on: not in the queue
    saved = await client.post("/console", allow_redirects=False, data={**CALL, "_csrf": agent_token, "finish": "save"})
    assert saved.status == 303
    queue = await (await client.get("/api/v1/console/queue")).json()
    numbers = [item["number"] for item in queue["items"]]
    assert queue["total"] == 3 and numbers[0] == urgent.number and sms.number in numbers

    page = await (await client.get("/console", params={"ticket": sms.number})).text()
    assert "路灯坏了好几天" in page and f"/console/tickets/{sms.number}/finish" in page
    finished = await client.post(f"/console/tickets/{sms.number}/finish", allow_redirects=False,
                                 data={"_csrf": agent_token, "finish": "dispatch", "department": "water"})
    assert finished.status == 303
    assert _ticket(services, sms.number).status == Status.DISPATCHED
    again = await client.post(f"/console/tickets/{sms.number}/finish",
                              data={"_csrf": agent_token, "finish": "dispatch", "department": "gas"})
    assert again.status == 409  # someone already sent it on
    queue = await (await client.get("/api/v1/console/queue")).json()
    assert sms.number not in [item["number"] for item in queue["items"]]


async def test_lookup_without_javascript(client, services, article, agent_token):
    response = await client.post("/console", data={**CALL, "_csrf": agent_token, "finish": "lookup"})
    html = await response.text()
    assert response.status == 200 and "家里突然没水了怎么办？" in html
    assert f'name="article_id" value="{article.id}"' in html and "<mark>" in html
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0


async def test_only_agents_supervisors_and_admins_use_the_console(client, services, depts):
    from tests.support.web import login
    from tracking.states import Role
    assert (await client.get("/console", allow_redirects=False)).status == 302
    await login(client, services, Role.DEPARTMENT, department=depts["water"])
    assert (await client.get("/console")).status == 403
    assert (await client.get("/api/v1/console/queue")).status == 403


async def test_a_texted_question_answered_from_the_queue_gets_the_answer_by_sms(client, services, article, agent_token):
    from hotline.jobs import Job
    from tracking.actions import Actor, NewTicket, register_ticket
    from tracking.states import Channel
    sms = register_ticket(services.ledger, NewTicket(channel=Channel.SMS, content="家里没水了怎么办",
                                                     contact_phone="13912345678", external_id="SM9"),
                          actor=Actor.system("短信通道"), now=services.clock()).ticket
    response = await client.post(f"/console/tickets/{sms.number}/finish", allow_redirects=False, data={
        "_csrf": agent_token, "finish": "answer", "article_id": str(article.id)})
    assert response.status == 303
    with services.db.reading() as session:
        jobs = list(session.scalars(select(Job).where(Job.name == "sms.send", Job.ticket_id == sms.id)))
    assert len(jobs) == 1 and jobs[0].args["purpose"] == "reply" and jobs[0].args["to"] == "13912345678"
    assert sms.number in jobs[0].args["body"] and "请先看邻居家" in jobs[0].args["body"]
    # a caller heard the answer on the phone: no SMS
    await client.post("/console", data={**CALL, "_csrf": agent_token, "finish": "answer", "article_id": str(article.id)})
    with services.db.reading() as session:
        assert session.scalar(select(func.count(Job.id)).where(Job.name == "sms.send")) == 1


async def test_opening_a_queued_ticket_logs_the_read_of_its_phone(client, services, agent_token):
    from hotline.audit.models import AccessLogEntry
    from tracking.actions import Actor, NewTicket, register_ticket
    from tracking.states import Channel
    web = register_ticket(services.ledger, NewTicket(channel=Channel.WEB, content="路灯不亮", contact_phone="13700001111"),
                          actor=Actor.system("网站留言"), now=services.clock()).ticket
    page = await (await client.get("/console", params={"ticket": web.number})).text()
    assert "13700001111" in page
    with services.db.reading() as session:
        entries = list(session.scalars(select(AccessLogEntry).where(AccessLogEntry.ticket_id == web.id)))
    assert [(e.what, e.actor_role) for e in entries] == [("console", "agent")]


async def test_the_routing_proposal_beside_the_form(client, services, depts, agent_token):
    """The proposal comes from dispatch (``dispatch.service.propose``), shown on the page and by its API."""
    text = {**CALL, "title": "燃气泄漏", "content": "厨房里有煤气味，好像燃气泄漏了"}
    page = await (await client.post("/console", data={**text, "_csrf": agent_token, "finish": "lookup"})).text()
    assert 'value="gas" selected' in page and "市燃气集团（建议）" in page
    assert 'value="emergency" selected' in page  # the city's rule makes a gas leak 特急
    # what /static/knowledge.js asks as the agent types: the agent's session and the page's CSRF token
    proposal = await client.post("/api/v1/dispatch/propose", json={"text": text["content"], "address": CALL["address"]},
                                 headers={"X-CSRF-Token": agent_token})
    body = await proposal.json()
    assert proposal.status == 200 and body["department"]["code"] == "gas"
    assert {"service", "confidence", "alternatives", "needs_triage"} <= set(body)
