"""The reports: Excel with named columns and a sheet per figure, a printable PDF bulletin, HTML, the CLI."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evaluation.periods import parse_period
from evaluation.report import build_report
from evaluation.writers import write_report
from evaluation.xlsx import RANKING_COLUMNS

TITLE = "A市12345政务服务便民热线2026年10月办理情况通报"


@pytest.fixture
def report(shared, rules):
    return build_report(shared, rules, parse_period("2026-10"), now=shared.clock())


def test_the_excel_has_a_row_per_department_and_a_sheet_per_figure(report, shared, shared_month, tmp_path):
    out = tmp_path / "october.xlsx"
    write_report(report, shared, "xlsx", out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["考核排名", "热线概况", "核减记录", "受理工单明细", "逾期签收", "超期办结", "未及时响应",
                               "未解决", "不满意", "退单", "重办", "延期", "指标说明"]
    rows = list(book["考核排名"].iter_rows(values_only=True))
    assert rows[0] == RANKING_COLUMNS
    assert rows[0][:8] == ("分组", "组内排名", "单位编码", "承办单位", "受理量", "及时签收率", "按时办结率", "响应率")
    by_code = {row[2]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert set(by_code) == {"water", "gas", "housing", "education", "market"}
    water = by_code["water"]
    assert (water["受理量"], water["组内排名"], water["综合得分"], water["超期工单"]) == (6, 2, 80.58, 2)
    assert water["按时办结率"] == pytest.approx(0.6) and water["得分环比"] == pytest.approx(-19.42)
    overdue = [row[0] for row in book["超期办结"].iter_rows(min_row=2, values_only=True)]
    assert sorted(overdue) == sorted([shared_month.tickets["W3"].number, shared_month.tickets["W5"].number])
    details = list(book["受理工单明细"].iter_rows(values_only=True))
    assert len(details) == 1 + 24  # a line per handling record of October


def test_the_pdf_bulletin_shows_the_title_and_the_ranking(report, shared, tmp_path):
    out = tmp_path / "october.pdf"
    write_report(report, shared, "pdf", out)
    assert out.read_bytes().startswith(b"%PDF")
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) not installed: apt-get install poppler-utils")
    if not Path("/usr/share/poppler/cMap").is_dir():  # pdftotext reads STSong-Light's text through Adobe's CMaps
        pytest.skip("poppler-data not installed: apt-get install poppler-data (make test-deps)")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    assert TITLE in compact
    assert "二、承办单位考核排名" in compact and "公共服务企业" in compact
    assert "市燃气集团" in compact and "80.58" in compact and "-19.42" in compact
    assert "红榜" in compact and "指标口径" in compact
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "page")],
                   check=True)
    image = next(tmp_path.glob("page*.png"))
    assert image.stat().st_size > 5_000  # a rendered page, not a blank one
    from PIL import Image  # noqa: PLC0415 (reportlab depends on Pillow)
    page = Image.open(image).convert("L")
    width, height = page.size
    title_band = page.crop((0, int(height * 0.04), width, int(height * 0.12)))
    assert title_band.getextrema()[0] < 128, "the title is drawn at the top of page one"


def test_the_html_report_is_one_self_contained_page(report, shared, tmp_path):
    out = tmp_path / "october.html"
    write_report(report, shared, "html", out)
    html = out.read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "市水务集团" in html and "80.58" in html and "<svg" in html


def test_hotline_report_on_the_command_line(month_db, tmp_path, monkeypatch):
    from hotline.cli import main

    monkeypatch.setenv("HOTLINE_DATABASE_URL", month_db[0])
    monkeypatch.setenv("HOTLINE_REDIS_URL", "")
    monkeypatch.setenv("HOTLINE_VAR_DIR", str(tmp_path / "var"))
    out = tmp_path / "out" / "october.xlsx"
    assert main(["report", "--period", "2026-10", "--out", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    assert next(book["考核排名"].iter_rows(values_only=True))[:4] == ("分组", "组内排名", "单位编码", "承办单位")
    assert main(["report", "--period", "2026-10", "--format", "pdf", "--out", str(tmp_path / "b.pdf")]) == 0
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    assert main(["report", "--period", "Oct", "--out", str(tmp_path / "c.html")]) == 2


async def test_downloads_from_the_page(shared_client, shared):
    from tests.support.web import login
    from tracking.states import Role

    await login(shared_client, shared, Role.SUPERVISOR)
    response = await shared_client.get("/evaluation/report.xlsx?period=2026-10")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="evaluation-2026-10.xlsx"'
    assert (await response.read()).startswith(b"PK")
    pdf = await shared_client.get("/evaluation/report.pdf?period=2026-10")
    assert pdf.content_type == "application/pdf" and (await pdf.read()).startswith(b"%PDF")
    assert (await shared_client.get("/evaluation/report.doc?period=2026-10")).status == 404


WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def test_a_configured_truetype_font_is_embedded(report, tmp_path):
    from pathlib import Path

    from evaluation.pdf import write_pdf
    if not Path(WQY).exists() or not shutil.which("pdffonts"):
        pytest.skip("no Chinese TrueType font (apt-get install fonts-wqy-microhei) or pdffonts here")
    out = tmp_path / "embedded.pdf"
    write_pdf(report, out, font_path=WQY)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYiMicroHei" in fonts and " yes " in fonts.split("WenQuanYiMicroHei", 1)[1].splitlines()[0]
