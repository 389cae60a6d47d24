"""The Excel report: one row per department with named columns, then the tickets behind each figure.

Written with openpyxl in write-only mode, so a month of a large city (hundreds
of thousands of handling records) streams to the file instead of filling memory.
Rates are written as numbers formatted as percentages, so they sort and sum.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from evaluation.figures import FIGURES, Kind, figure
from evaluation.hotline import Share
from evaluation.models import EXCLUSION_STATUS_LABELS
from evaluation.queries import stream_records
from evaluation.report import RANKING_FIGURES, Report
from tracking.states import PRIORITY_LABELS, SATISFACTION_LABELS, STATUS_LABELS

LIGHT_LABELS = {"green": "绿", "yellow": "黄", "red": "红", None: ""}
RANKING_COLUMNS = ("分组", "组内排名", "单位编码", "承办单位", *(figure(n).label for n in RANKING_FIGURES),
                   "综合得分", "灯色", "上期得分", "得分环比", "排名变化", "核减件数", "备注")
TICKET_COLUMNS = ("工单编号", "承办单位", "标题", "紧急程度", "当前状态", "到达本单位时间", "首次答复时间",
                  "答复时限", "回访满意度", "办理时长（小时）")
FLAG_COLUMNS = tuple(f for f in FIGURES if f.bad and f.kind is Kind.RATE)  # 超期工单 is 超期办结's list


def write_xlsx(report: Report, services, out: Path) -> None:
    """Write the report to ``out`` (.xlsx)."""
    book = Workbook(write_only=True)
    _ranking_sheet(book, report)
    _hotline_sheet(book, report)
    _exclusions_sheet(book, report)
    start, end = report.period.bounds(report.tz)
    now = report.computed_at
    sheet = book.create_sheet("受理工单明细")
    sheet.append(_header(sheet, TICKET_COLUMNS + tuple(f.bad_label for f in FLAG_COLUMNS)))
    for row in stream_records(services.db, report.rules, start, end, now):
        sheet.append(_ticket_cells(row, report) + ["是" if row.flags[f.bad] else "" for f in FLAG_COLUMNS])
    for spec in FLAG_COLUMNS:
        sheet = book.create_sheet(spec.bad_label)
        sheet.append(_header(sheet, TICKET_COLUMNS))
        for row in stream_records(services.db, report.rules, start, end, now, flag=spec.bad):
            sheet.append(_ticket_cells(row, report))
    _definitions_sheet(book, report)
    book.save(out)


def _ranking_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("考核排名")
    sheet.freeze_panes = "E2"
    sheet.append(_header(sheet, RANKING_COLUMNS))
    excluded = {}
    for exclusion in report.exclusions:
        excluded[exclusion.department_id] = excluded.get(exclusion.department_id, 0) + 1
    for group, members in report.ranking.groups:
        for line in members:
            unit = line.figures.unit
            cells = [group.label, line.rank, unit.code, unit.name]
            cells += [_value_cell(sheet, name, line.figures.value(name)) for name in RANKING_FIGURES]
            cells += [line.score, LIGHT_LABELS[line.light], line.previous_score, line.score_change,
                      line.rank_change, excluded.get(unit.id, 0), line.note]
            sheet.append(cells)


def _hotline_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("热线概况")
    figures = report.hotline
    sheet.append([_bold(sheet, "受理总量"), figures.registered])
    for title, shares in (("受理渠道", figures.by_channel), ("诉求分类", figures.by_category),
                          ("所在区县", figures.by_district), ("办理方式", figures.by_outcome),
                          ("回访满意度", figures.satisfaction)):
        sheet.append([])
        sheet.append([_bold(sheet, title), _bold(sheet, "件数"), _bold(sheet, "占比")])
        for share in shares:
            sheet.append(_share_cells(sheet, share))
    sheet.append([])
    sheet.append([_bold(sheet, "重复诉求"), figures.repeats])
    sheet.append(["并单", figures.merged])
    for caller in figures.repeat_callers:
        sheet.append([caller.phone, caller.tickets, "；".join(caller.titles)])
    sheet.append([])
    sheet.append([_bold(sheet, "热点问题"), _bold(sheet, "估计件数"), _bold(sheet, "例")])
    for topic in figures.topics:
        sheet.append([topic.word, topic.tickets, "；".join(f"{e.number} {e.title}" for e in topic.examples)])
    if figures.calls:
        sheet.append([])
        sheet.append([_bold(sheet, "话务情况")])
        for line in figures.calls:
            sheet.append([line.label, line.value, line.hint])


def _exclusions_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("核减记录")
    sheet.append(_header(sheet, ("工单编号", "承办单位", "核减类型", "理由", "状态", "申请人", "申请时间",
                                 "审核人", "审核时间", "审核意见")))
    for x in report.exclusions:
        sheet.append([x.ticket.number, x.department.name, report.rules.exclusion_kinds.get(x.kind, x.kind),
                      x.reason, EXCLUSION_STATUS_LABELS.get(x.status, x.status), x.requested_by_name,
                      _local(x.requested_at, report), x.decided_by_name, _local(x.decided_at, report),
                      x.decision_note])


def _definitions_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("指标说明")
    sheet.append(_header(sheet, ("指标", "定义", "综合得分权重", "每个百分点扣分")))
    for spec in FIGURES:
        sheet.append([spec.label, spec.definition, report.rules.weights.get(spec.name),
                      report.rules.penalties.get(spec.name)])
    sheet.append([])
    sheet.append([f"统计时间：{_local(report.computed_at, report)}；考核期：{report.period.label}"])


def _ticket_cells(row, report: Report) -> list:
    return [row.number, row.department_name, row.title, PRIORITY_LABELS.get(row.priority, row.priority),
            STATUS_LABELS.get(row.status, row.status), _local(row.received_at, report),
            _local(row.first_reply_at, report), _local(row.reply_due_at, report),
            SATISFACTION_LABELS.get(row.satisfaction, "") if row.satisfaction else "",
            round(row.handling_hours, 1) if row.handling_hours is not None else None]


def _value_cell(sheet, name: str, value):
    cell = WriteOnlyCell(sheet, value=round(value, 4) if isinstance(value, float) else value)
    kind = figure(name).kind
    cell.number_format = "0.0%" if kind is Kind.RATE else "0.0" if kind is Kind.HOURS else "#,##0"
    return cell


def _share_cells(sheet, share: Share) -> list:
    cell = WriteOnlyCell(sheet, value=round(share.share, 4))
    cell.number_format = "0.0%"
    return [share.label, share.count, cell]


def _header(sheet, names) -> list:
    return [_bold(sheet, name) for name in names]


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _local(moment, report: Report):
    """Excel has no time zones: write the city's local time, without its zone."""
    return moment.astimezone(report.tz).replace(tzinfo=None, microsecond=0) if moment else None
