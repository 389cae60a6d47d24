"""Charts for the PDF bulletin, drawn with reportlab's own graphics (vector, prints sharply)."""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

LINE_COLOURS = (colors.HexColor("#1f6feb"), colors.HexColor("#d97706"), colors.HexColor("#15803d"),
                colors.HexColor("#b91c1c"))


def line_drawing(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                 font: str, *, width: float = 84 * mm, height: float = 58 * mm) -> Drawing:
    """Percent lines over months; gaps where a month has no data."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=font, fontSize=9))
    chart = HorizontalLineChart()
    chart.x, chart.y = 28, 24
    chart.width, chart.height = width - 36, height - 46
    chart.data = [[None if v is None else round(v * 100, 1) for v in values] for _, values in series]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 0
    known = [v for row in chart.data for v in row if v is not None]
    chart.valueAxis.valueMin = max(0, (int(min(known, default=0)) // 10) * 10 - 10) if known else 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.labelTextFormat = "%d%%"
    for index in range(len(series)):
        chart.lines[index].strokeColor = LINE_COLOURS[index % len(LINE_COLOURS)]
        chart.lines[index].strokeWidth = 1.5
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = 30, 8
        legend.fontName, legend.fontSize = font, 7
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [(LINE_COLOURS[i % len(LINE_COLOURS)], name) for i, (name, _) in enumerate(series)]
        drawing.add(legend)
    return drawing


def bar_drawing(title: str, items: Sequence[tuple[str, int]], font: str, *, width: float = 84 * mm) -> Drawing:
    """Horizontal bars of counts (largest at the top), labelled with their values."""
    items = list(items)[:8]
    height = 20 + 12 * max(1, len(items)) + 14
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=font, fontSize=9))
    chart = HorizontalBarChart()
    chart.x, chart.y = 62, 6
    chart.width, chart.height = width - 96, height - 26
    chart.data = [[n for _, n in reversed(items)] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in reversed(items)] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = LINE_COLOURS[0]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 10
    drawing.add(chart)
    return drawing
