"""The knowledge base in the console: the agent types the caller's question, adopts the suggested
article, and closes the call as answered directly (直接办结), the article recorded on the ticket."""
from __future__ import annotations

import re


def test_agent_answers_a_call_from_the_suggested_article(person):
    agent = person("agent")
    agent.login("agent1")
    agent.open("/console?phone=13800001111")
    page = agent.page
    page.fill("textarea[name=content]", "我想问一下居住证怎么办理，需要带什么材料？")
    first = page.wait_for_selector("#suggestions input[name=article_id]:not([value=''])")
    title = page.locator("#suggestions .suggestion").nth(1).inner_text()
    agent.shot("suggestions")
    first.check()
    assert "居住证" in title
    page.click("button[name=finish][value=answer]")
    notice = page.wait_for_selector("p.notice")
    assert "直接办结" in notice.inner_text()
    number = re.search(r"\d{8}-\d{6}", notice.inner_text()).group(0)
    agent.shot("answered")
    agent.open(f"/tickets/{number}")
    main = agent.page.inner_text("main")
    assert "直接办结" in main
    agent.shot("ticket")
