"""The figures of a department scorecard: names, labels and exact definitions.

The definitions here are the ones shown when a figure is hovered on the pages
and printed in the reports; ``docs/evaluation.md`` says the same at length.
Every figure counts *handling records* (承办记录): one ticket at one department
that received it, by 派单 or 改派, within the period (see
``evaluation.records``).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    COUNT = "count"
    RATE = "rate"
    HOURS = "hours"


@dataclass(frozen=True)
class Figure:
    """One figure: ``numerator`` and ``denominator`` name the record flags it divides.

    ``bad`` names the flag of the records that count against the department
    (late, returned, unsatisfied...), which the drill-down and the Excel
    sheets list.
    """

    name: str
    label: str
    kind: Kind
    definition: str
    numerator: str | None = None
    denominator: str | None = None
    bad: str | None = None
    bad_label: str = ""
    lower_is_better: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("received", "受理量", Kind.COUNT,
           "考核期内经派单或改派到达本单位的工单数（同一工单计一次），已核准核减的除外。",
           numerator="received", denominator=None),
    Figure("sign_in_rate", "及时签收率", Kind.RATE,
           "在签收时限内签收的工单 ÷（已签收的工单 + 未签收且已超过签收时限的工单）。"
           "签收是否及时以签收时记录的时限为准；未签收即退回的工单不计入。",
           numerator="signed_in_on_time", denominator="sign_in_due", bad="signed_in_late",
           bad_label="逾期签收"),
    Figure("on_time_rate", "按时办结率", Kind.RATE,
           "在答复时限内答复、且当前没有超期未答复的工单 ÷（已答复的工单 + 未答复且已超过答复时限的工单）。"
           "经批准延期的，以延期后的时限为准；重办后再次答复的，每次答复都须按时。",
           numerator="replied_on_time", denominator="reply_due", bad="overdue", bad_label="超期办结"),
    Figure("response_rate", "响应率", Kind.RATE,
           "收到工单后在响应时限内首次响应诉求人（记录“办理中”或作出答复）的工单 ÷"
           "（已响应的工单 + 未响应且已超过响应时限的工单）。响应时限按紧急程度配置（一般24小时）。",
           numerator="responded_in_time", denominator="response_due", bad="responded_late",
           bad_label="未及时响应"),
    Figure("resolution_rate", "解决率", Kind.RATE,
           "回访中诉求人表示问题已解决的工单 ÷ 已回访的工单。以最近一次回访结果为准。",
           numerator="resolved", denominator="called_back", bad="unresolved", bad_label="未解决"),
    Figure("satisfaction_rate", "满意率", Kind.RATE,
           "回访中诉求人表示“满意”或“基本满意”的工单 ÷ 已回访的工单。以最近一次回访结果为准。",
           numerator="satisfied", denominator="called_back", bad="unsatisfied", bad_label="不满意"),
    Figure("return_rate", "退单率", Kind.RATE,
           "本单位退回（退单）过的工单 ÷ 受理量。退单经核准属误派并核减的，不计入。",
           numerator="returned", denominator="received", bad="returned", bad_label="退单",
           lower_is_better=True),
    Figure("reopen_rate", "重办率", Kind.RATE,
           "因诉求人不满意被重办过的工单 ÷ 本单位已答复的工单。",
           numerator="reopened", denominator="replied", bad="reopened", bad_label="重办",
           lower_is_better=True),
    Figure("extension_rate", "延期率", Kind.RATE,
           "经批准延期的工单 ÷ 受理量。",
           numerator="extended", denominator="received", bad="extended", bad_label="延期",
           lower_is_better=True),
    Figure("overdue", "超期工单", Kind.COUNT,
           "答复晚于答复时限，或至统计时仍未答复且已超过答复时限的工单数。",
           numerator="overdue", bad="overdue", bad_label="超期工单", lower_is_better=True),
    Figure("handling_hours", "平均办理时长", Kind.HOURS,
           "已答复工单从到达本单位到首次答复的平均自然小时数。",
           numerator="replied", lower_is_better=True),
)

BY_NAME = {figure.name: figure for figure in FIGURES}
RATE_FIGURES = tuple(f for f in FIGURES if f.kind is Kind.RATE)


def figure(name: str) -> Figure:
    """The figure called ``name``.

    Raises:
        KeyError: no such figure.
    """
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no figure {name!r}; known: {', '.join(BY_NAME)}") from None
