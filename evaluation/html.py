"""The report as one self-contained HTML file (inline styles and SVG charts), to mail or print."""
from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from evaluation.charts import bar_chart
from evaluation.figures import FIGURES, RATE_FIGURES
from evaluation.models import EXCLUSION_STATUS_LABELS
from evaluation.report import RANKING_FIGURES, TREND_FIGURES, Report, format_value, percent

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(report: Report) -> str:
    """The report page as a string (autoescaped; the charts are SVG built and escaped by ``charts``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    template = env.get_template("evaluation/report.html")
    hotline = report.hotline
    return template.render(
        report=report, figures={f.name: f for f in FIGURES}, ranking_figures=RANKING_FIGURES,
        rate_figures=[f.name for f in RATE_FIGURES], format_value=format_value, percent=percent,
        status_labels=EXCLUSION_STATUS_LABELS,
        trend_charts=[Markup(report.trend.chart(name, width=440, height=200))
                      for name in TREND_FIGURES],
        channel_chart=Markup(
            bar_chart([(s.label, s.count) for s in hotline.by_channel], title="受理渠道", width=440)),
        category_chart=Markup(
            bar_chart([(s.label, s.count) for s in hotline.by_category[:10]], title="诉求分类", width=440)),
        local=lambda moment, fmt="%Y-%m-%d %H:%M": moment.astimezone(report.tz).strftime(fmt) if moment else "—")


def write_html(report: Report, out: Path) -> None:
    Path(out).write_text(render_html(report), encoding="utf-8")
