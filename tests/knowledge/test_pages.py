"""The knowledge pages over HTTP: citizens' help pages, the editor and review, the search API."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hotline.auth import create_api_key
from tests.knowledge.conftest import csrf_of
from tests.support.factories import TicketFactory
from tests.support.web import login
from tracking import actions as act
from tracking.states import Role

GUIDE = {"what": "居住证申领", "materials": "身份证\n照片", "fees": "首次免费"}


async def test_help_shows_published_articles_only(client, services, people, articles):
    live = articles.published(services, people["police"], people["supervisor"],
                              question="外地户口怎样申领居住证？", answer="到居住地派出所申领居住证。", guide=GUIDE)
    draft = articles.draft(services, people["police"], question="居住证积分落户怎么算？", answer="草稿内容")
    page = await (await client.get("/help", params={"q": "暂住证怎么办"})).text()
    assert "外地户口怎样申领居住证？" in page and "居住证积分落户" not in page
    assert "/messages/new?" in page  # "still need help" goes on to the message form
    article = await client.get(f"/help/articles/{live.id}")
    assert article.status == 200 and "到居住地派出所申领居住证。" in await article.text()
    assert (await client.get(f"/help/articles/{draft.id}")).status == 404
    guide = await client.get(f"/help/articles/{live.id}/guide")
    text = await guide.text()
    assert guide.status == 200 and "办事指南" in text and "<li>照片</li>" in text and "首次免费" in text
    assert "window.print()" in text


async def test_still_need_help_opens_the_message_form_prefilled(client, services, people, articles):
    live = articles.published(services, people["water"], people["supervisor"])
    page = await client.get(f"/help/articles/{live.id}", params={"q": "我家没水了三天了"})
    token = csrf_of(await page.text())
    response = await client.post(f"/help/articles/{live.id}/feedback", allow_redirects=False,
                                 data={"_csrf": token, "helpful": "0", "q": "我家没水了三天了"})
    assert response.status == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == "/messages/new"
    assert parse_qs(target.query)["content"] == ["我家没水了三天了"]
    assert parse_qs(target.query)["title"] == ["家里突然没水了怎么办？"]
    thanks = await client.post(f"/help/articles/{live.id}/feedback", data={"_csrf": token, "helpful": "1"})
    assert "感谢您的反馈" in await thanks.text()
    refused = await client.post(f"/help/articles/{live.id}/feedback", data={"helpful": "1"})
    assert refused.status == 403  # no CSRF token, no count


async def test_department_edits_its_own_article_and_not_anothers(client, services, depts, people, articles):
    theirs = articles.published(services, people["police"], people["supervisor"])
    token = await login(client, services, Role.DEPARTMENT, department=depts["water"])
    assert (await client.get(f"/knowledge/{theirs.id}/edit")).status == 403
    refused = await client.post(f"/knowledge/{theirs.id}/edit", data={
        "_csrf": token, "question": "改写别人的条目", "answer": "不应保存", "based_on": "1"})
    assert refused.status == 403 and "本单位" in await refused.text()

    created = await client.post("/knowledge/new", allow_redirects=False, data={
        "_csrf": token, "question": "水表冻裂了谁来换？", "answer": "请联系供水服务热线，说明户号。",
        "services": ["water-account"], "guide_what": "水表更换", "guide_materials": "户号\n身份证"})
    assert created.status == 303
    location = created.headers["Location"]
    page = await (await client.get(location)).text()
    assert "水表冻裂了谁来换？" in page and "提交审核" in page and "水表更换" in page
    article_id = int(location.rsplit("/", 1)[1])
    saved = await client.post(f"/knowledge/{article_id}/edit", allow_redirects=False, data={
        "_csrf": token, "question": "水表冻裂了谁来换？", "answer": "请拨打12345报修。", "based_on": "1"})
    assert saved.status == 303
    submitted = await client.post(f"/knowledge/{article_id}/act", allow_redirects=False,
                                  data={"_csrf": token, "action": "submit", "version": "2"})
    assert submitted.status == 303
    publish = await client.post(f"/knowledge/{article_id}/act", data={
        "_csrf": token, "action": "publish", "version": "2"})
    assert publish.status == 403  # departments do not publish their own text


async def test_supervisor_reviews_with_the_changes_shown(client, services, people, articles):
    article = articles.published(services, people["water"], people["supervisor"])
    from knowledge import actions as kact
    from tests.knowledge.conftest import fields
    kact.edit_article(services.knowledge, article.id, fields(answer="请先确认邻居家是否也停水，再拨打12345。"),
                      actor=people["water"], now=services.clock())
    kact.submit_for_review(services.knowledge, article.id, actor=people["water"], now=services.clock())
    token = await login(client, services, Role.SUPERVISOR)
    page = await (await client.get(f"/knowledge/{article.id}")).text()
    assert "与线上版本的差异" in page and "<ins>" in page and "审核通过并发布" in page
    published = await client.post(f"/knowledge/{article.id}/act", allow_redirects=False,
                                  data={"_csrf": token, "action": "publish", "version": "2"})
    assert published.status == 303
    assert "拨打12345" in services.knowledge.live(article.id, now=services.clock()).answer
    listing = await (await client.get("/knowledge", params={"q": "停水"})).text()
    assert "家里突然没水了怎么办？" in listing


async def test_search_api_for_staff(client, services, people, articles):
    article = articles.published(services, people["water"], people["supervisor"])
    assert (await client.get("/api/v1/knowledge/search", params={"q": "没水"})).status == 401
    key = create_api_key(services.db, name="agent-key", role=Role.AGENT, now=services.clock())
    headers = {"Authorization": f"Bearer {key}"}
    body = await (await client.get("/api/v1/knowledge/search", params={"q": "没水了", "limit": "3"},
                                   headers=headers)).json()
    assert [item["id"] for item in body["items"]] == [article.id]
    assert body["items"][0]["answer"].startswith("请先确认") and body["took_ms"] >= 0
    read = await client.get(f"/api/v1/knowledge/articles/{article.id}", headers=headers)
    assert (await read.json())["department"]["code"] == "water"
    bad = await client.get("/api/v1/knowledge/search", params={"q": "x", "limit": "999"}, headers=headers)
    assert bad.status == 400


async def test_knowledge_team_pages(client, services, depts, people):
    ticket = TicketFactory.dispatched(services, people["agent"], depts["water"], title="小区停水",
                                      content="小区停水一天了")
    act.accept_ticket(services.ledger, ticket.id, actor=people["water"], now=services.clock())
    act.reply_ticket(services.ledger, ticket.id, actor=people["water"], now=services.clock(),
                     reply="管网抢修，已恢复供水。")
    TicketFactory.dispatched(services, people["agent"], depts["water"], title="小区又停水", content="小区停水")
    token = await login(client, services, Role.SUPERVISOR)
    page = await (await client.get("/knowledge/unanswered")).text()
    assert "待解答热点" in page and ticket.number in page and "答复转为知识草稿" in page
    made = await client.post(f"/knowledge/from-ticket/{ticket.number}", allow_redirects=False,
                             data={"_csrf": token})
    assert made.status == 303
    draft = await (await client.get(made.headers["Location"])).text()
    assert "管网抢修，已恢复供水。" in draft and "草稿" in draft
    assert (await client.get("/knowledge/unanswered", params={"month": "2026-13"})).status == 400
