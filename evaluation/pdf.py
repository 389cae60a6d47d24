"""The printable monthly bulletin (办理情况通报) as a PDF, in Chinese, with tables and charts.

Chinese text needs a font with Chinese glyphs. When ``HOTLINE_REPORT_FONT``
names a TrueType file (.ttf or .ttc) it is embedded, so the bulletin prints
the same everywhere; otherwise the standard Adobe font STSong-Light is used,
which PDF readers supply (reportlab ships its metrics; nothing is embedded).
"""
from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from evaluation.figures import FIGURES
from evaluation.pdf_charts import bar_drawing, line_drawing
from evaluation.report import TREND_FIGURES, Report, format_value, percent

STANDARD_FONT = "STSong-Light"
EMBEDDED_FONT = "HotlineCJK"
LIGHTS = {"green": colors.HexColor("#bbf7d0"), "yellow": colors.HexColor("#fde68a"),
          "red": colors.HexColor("#fecaca")}
TABLE_FIGURES = ("received", "sign_in_rate", "on_time_rate", "response_rate", "resolution_rate",
                 "satisfaction_rate", "return_rate")
HEADER_BG = colors.HexColor("#e5e7eb")


def _clean(text: str) -> str:
    """Text as the font can show it: STSong-Light has no U+00B7 middle dot, but has the full-width one."""
    return escape(str(text).replace("·", "・"))


def register_font(path: str = "") -> str:
    """Register the bulletin's font and return its name (embedded TrueType, or STSong-Light)."""
    if path:
        if EMBEDDED_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=0))
        return EMBEDDED_FONT
    if STANDARD_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(STANDARD_FONT))
    return STANDARD_FONT


def write_pdf(report: Report, out: Path, *, font_path: str = "") -> None:
    """Write the bulletin to ``out``."""
    font = register_font(font_path)
    styles = _styles(font)
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=18 * mm,
                            bottomMargin=16 * mm, title=report.title, author=f"{report.city_name}12345热线",
                            subject="办理情况通报")
    story = [Paragraph(_clean(report.title), styles["title"]),
             Paragraph(_clean(f"统计截至 {report.computed_at.astimezone(report.tz):%Y年%m月%d日 %H:%M}"
                              f"　考核期 {report.period.label}"), styles["sub"])]
    story += _overview(report, styles, font)
    story += _ranking(report, styles)
    story += _lists(report, styles)
    story += _trends(report, styles, font)
    story += _issues(report, styles)
    story += _exclusions(report, styles)
    story += _definitions(report, styles)
    doc.build(story, onFirstPage=_footer(report, font), onLaterPages=_footer(report, font))


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=17, leading=24, alignment=TA_CENTER,
                                spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=9, leading=13, alignment=TA_CENTER,
                              textColor=colors.HexColor("#4b5563"), spaceAfter=10),
        "h": ParagraphStyle("h", fontName=font, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=5),
        "h3": ParagraphStyle("h3", fontName=font, fontSize=10, leading=14, spaceBefore=6, spaceAfter=3),
        "body": ParagraphStyle("body", fontName=font, fontSize=9.5, leading=15, firstLineIndent=19),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=12),
    }


def _overview(report: Report, styles, font: str) -> list:
    h = report.hotline
    channels = "，".join(f"{s.label}{s.count:,}件（{percent(s.share)}）" for s in h.by_channel[:4])
    outcome = "，".join(f"{s.label}{s.count:,}件" for s in h.by_outcome)
    total = report.ranking.scorecard.total
    text = (f"{report.period.label}，热线共受理群众诉求{h.registered:,}件，其中{channels or '无'}。"
            f"按办理方式，{outcome or '无'}。承办单位本期收到派单{total.received:,}件，"
            f"及时签收率{format_value('sign_in_rate', total.value('sign_in_rate'))}，"
            f"按时办结率{format_value('on_time_rate', total.value('on_time_rate'))}，"
            f"响应率{format_value('response_rate', total.value('response_rate'))}，"
            f"解决率{format_value('resolution_rate', total.value('resolution_rate'))}，"
            f"满意率{format_value('satisfaction_rate', total.value('satisfaction_rate'))}。"
            f"重复诉求{h.repeats:,}件，并单{h.merged:,}件。")
    charts = Table([[bar_drawing("受理渠道", [(s.label, s.count) for s in h.by_channel], font),
                     bar_drawing("诉求分类（前八）", [(s.label, s.count) for s in h.by_category], font)]],
                   colWidths=[89 * mm, 89 * mm])
    parts = [Paragraph("一、总体情况", styles["h"]), Paragraph(_clean(text), styles["body"]), Spacer(1, 4),
             charts]
    if h.calls:
        rows = [[Paragraph(_clean(line.label), styles["cell"]), Paragraph(_clean(line.value), styles["cell"])]
                for line in h.calls]
        parts += [Paragraph("话务情况", styles["h3"]), _table(rows, [50 * mm, 40 * mm], font, header=False)]
    return parts


def _ranking(report: Report, styles) -> list:
    parts = [Paragraph("二、承办单位考核排名", styles["h"]),
             Paragraph(_clean(_weights_text(report)), styles["small"])]
    heads = ["排名", "承办单位", *[f.label for f in FIGURES if f.name in TABLE_FIGURES], "综合得分", "环比"]
    widths = [9 * mm, 38 * mm] + [15 * mm] * len(TABLE_FIGURES) + [14 * mm, 12 * mm]
    for group, members in report.ranking.groups:
        rows = [[Paragraph(_clean(h), styles["cell"]) for h in heads]]
        shades = []
        for line in members:
            change = line.score_change
            rows.append([str(line.rank or "—"), Paragraph(_clean(line.figures.unit.name), styles["cell"]),
                         *[format_value(n, line.figures.value(n)) for n in TABLE_FIGURES],
                         "—" if line.score is None else f"{line.score:.2f}",
                         "—" if change is None else f"{change:+.2f}"])
            if line.light:
                shades.append(("BACKGROUND", (len(heads) - 2, len(rows) - 1), (len(heads) - 2, len(rows) - 1),
                               LIGHTS[line.light]))
        parts += [Paragraph(_clean(group.label), styles["h3"]), _table(rows, widths, styles["cell"].fontName, extra=shades)]
    return parts


def _lists(report: Report, styles) -> list:
    parts = [Paragraph("三、红黑榜", styles["h"])]
    for group, _ in report.ranking.groups:
        red = "、".join(f"{l.figures.unit.name}（{l.score:.2f}分）" for l in report.ranking.red.get(group.key, []))
        black = "、".join(f"{l.figures.unit.name}（{l.score:.2f}分）" for l in report.ranking.black.get(group.key, []))
        parts.append(Paragraph(_clean(f"{group.label}　红榜：{red or '无'}；黑榜：{black or '无'}。"), styles["body"]))
    return parts


def _trends(report: Report, styles, font: str) -> list:
    trend = report.trend
    drawings = [line_drawing(f"全市{f.label}", trend.labels, [("全市", [m.value(f.name) for m in trend.city])], font)
                for f in FIGURES if f.name in TREND_FIGURES]
    rows = [drawings[i:i + 2] for i in range(0, len(drawings), 2)]
    return [KeepTogether([Paragraph("四、主要指标走势（近十二个月）", styles["h"]),
                          Table(rows, colWidths=[89 * mm, 89 * mm])])]


def _issues(report: Report, styles) -> list:
    h = report.hotline
    parts = [Paragraph("五、热点问题与重复诉求", styles["h"])]
    rows = [[Paragraph(t, styles["cell"]) for t in ("热点", "估计件数", "典型诉求")]]
    for topic in h.topics:
        examples = "；".join(f"{e.number} {e.title}" for e in topic.examples)
        rows.append([Paragraph(_clean(topic.word), styles["cell"]), f"{topic.tickets:,}",
                     Paragraph(_clean(examples), styles["cell"])])
    if len(rows) > 1:
        parts.append(_table(rows, [24 * mm, 18 * mm, 136 * mm], styles["cell"].fontName))
    share = h.repeat_share
    parts.append(Paragraph(_clean(f"本期重复诉求{h.repeats:,}件（同一号码{report.rules.repeat_window_days}天内就同一事项再次"
                                  f"来电），并单{h.merged:,}件，合计占受理量的{percent(share)}。"), styles["body"]))
    return parts


def _exclusions(report: Report, styles) -> list:
    parts = [Paragraph("六、核减情况", styles["h"])]
    if not report.exclusions:
        return parts + [Paragraph("本期无核减工单。", styles["body"])]
    rows = [[Paragraph(t, styles["cell"]) for t in ("工单编号", "承办单位", "类型", "理由", "核准人")]]
    for x in report.exclusions:
        rows.append([x.ticket.number, Paragraph(_clean(x.department.name), styles["cell"]),
                     Paragraph(_clean(report.rules.exclusion_kinds.get(x.kind, x.kind)), styles["cell"]),
                     Paragraph(_clean(x.reason), styles["cell"]), Paragraph(_clean(x.decided_by_name or ""), styles["cell"])])
    return parts + [_table(rows, [26 * mm, 34 * mm, 30 * mm, 66 * mm, 22 * mm], styles["cell"].fontName)]


def _definitions(report: Report, styles) -> list:
    rows = [[Paragraph(t, styles["cell"]) for t in ("指标", "口径")]]
    rows += [[Paragraph(_clean(f.label), styles["cell"]), Paragraph(_clean(f.definition), styles["cell"])]
             for f in FIGURES]
    return [PageBreak(), Paragraph("附：指标口径", styles["h"]), _table(rows, [26 * mm, 152 * mm], styles["cell"].fontName)]


def _weights_text(report: Report) -> str:
    labels = {f.name: f.label for f in FIGURES}
    weights = "、".join(f"{labels[n]}{w * 100:g}%" for n, w in report.rules.weights.items())
    penalties = "、".join(f"{labels[n]}每个百分点扣{p:g}分" for n, p in report.rules.penalties.items())
    return (f"综合得分＝{weights}加权（满分100分）" + (f"，{penalties}" if penalties else "") +
            f"；受理量不足{report.rules.min_received}件的单位不参与排名；得分底色为灯色"
            f"（≥{report.rules.green_score:g}绿，≥{report.rules.yellow_score:g}黄，其余红）。")


def _table(rows, widths, font: str, *, header: bool = True, extra=()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9ca3af")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BG))
    table.setStyle(TableStyle(style + list(extra)))
    return table


def _footer(report: Report, font: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#6b7280"))
        canvas.drawString(16 * mm, 9 * mm, f"{report.city_name}12345政务服务便民热线　{report.period.label}办理情况通报")
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"第{doc.page}页")
        canvas.restoreState()
    return draw
