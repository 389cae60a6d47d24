"""Hotline figures of October: channels, categories, districts, outcomes, repeats and top issues."""
from __future__ import annotations

from evaluation.hotline import hotline_figures
from evaluation.periods import parse_period
from evaluation.topics import ticket_keywords
from tests.evaluation.month import TZ


def test_hotline_figures_of_the_month(shared, shared_month, rules):
    start, end = parse_period("2026-10").bounds(TZ)
    figures = hotline_figures(shared.db, shared.catalogue, rules, start, end)
    counts = lambda shares: {s.label: s.count for s in shares}  # noqa: E731
    assert figures.registered == 27  # 24 dispatched, 2 answered directly, 1 merged, 1 waiting
    assert counts(figures.by_channel) == {"电话": 21, "网站留言": 5, "短信": 1}
    assert counts(figures.by_outcome) == {"派单办理": 23, "直接办结": 2, "并单": 1, "待派单": 1}
    assert counts(figures.by_category) == {"城乡建设": 17, "教育文体": 6, "商贸旅游": 2, "未分类": 2}
    assert counts(figures.by_district) == {"A1区": 13, "A2区": 5, "未识别": 9}  # E, D, R tickets have none
    assert counts(figures.satisfaction) == {"满意": 18, "基本满意": 2, "不满意": 1}
    assert (figures.repeats, figures.merged) == (1, 1)  # R2 (E1's caller, same service), R1 merged into G5
    callers = {c.phone: c.tickets for c in figures.repeat_callers}
    g5 = shared_month.tickets["G5"].contact_phone
    assert callers[g5[:3] + "****" + g5[-4:]] == 2
    assert figures.calls is None  # no call figures source in this deployment
    top = figures.topics[0]
    assert top.word == "停水" and top.tickets == 24 and len(top.examples) == rules.examples_per_issue


def test_call_figures_come_from_the_source_the_deployment_gives(shared, rules):
    from evaluation.hotline import CallLine

    start, end = parse_period("2026-10").bounds(TZ)
    seen = []

    def calls(a, b):
        seen.append((a, b))
        return [CallLine("呼入量", "1,234 通"), CallLine("15秒接通率", "93.1%", "15秒内接通的呼入电话占比")]
    figures = hotline_figures(shared.db, shared.catalogue, rules, start, end, calls=calls, with_topics=False)
    assert seen == [(start, end)] and figures.calls[1].value == "93.1%"


def test_keywords_leave_out_stopwords_and_places(rules):
    words = ticket_keywords("A3区某小区停水两天了，市民反映希望尽快处理", rules.topic_stopwords)
    assert "停水" in words
    assert not {"A3区", "市民", "反映", "希望", "尽快", "两天"} & set(words)
